"use client";

import { LoaderCircle, LogOut } from "lucide-react";
import { useRouter } from "next/navigation";
import { useActionState, useId, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { loadAuthClient } from "./load-auth-client";

/** What the invitation actions answer when they do not redirect into the console. */
type InviteActionState = { error: string | null };
type InviteAction = (previous: InviteActionState, form: FormData) => Promise<InviteActionState>;

const initial: InviteActionState = { error: null };

function Refusal({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert variant="destructive">
      <AlertDescription className="mt-0">{message}</AlertDescription>
    </Alert>
  );
}

/** The invited email has no account yet: the invitee picks their own name and password. */
export function NewAccountForm({
  action,
  email,
  minLength,
  maxLength,
}: {
  action: InviteAction;
  email: string;
  minLength: number;
  maxLength: number;
}) {
  const id = useId();
  const [state, submit, pending] = useActionState(action, initial);
  const [mismatch, setMismatch] = useState(false);
  return (
    <form
      aria-label="Create your account"
      action={submit}
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        const form = new FormData(event.currentTarget);
        const differ = form.get("password") !== form.get("confirm");
        setMismatch(differ);
        if (differ) event.preventDefault();
      }}
    >
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-email`}>Email</Label>
        <Input
          id={`${id}-email`}
          type="email"
          autoComplete="username"
          value={email}
          readOnly
          aria-readonly
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-name`}>Your name</Label>
        <Input
          id={`${id}-name`}
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          autoFocus
        />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-password`}>Password</Label>
        <Input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          maxLength={maxLength}
          aria-describedby={`${id}-password-hint`}
        />
        <p id={`${id}-password-hint`} className="text-muted-foreground text-xs">
          {minLength} to {maxLength} characters.
        </p>
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-confirm`}>Repeat the password</Label>
        <Input
          id={`${id}-confirm`}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          maxLength={maxLength}
          aria-invalid={mismatch || undefined}
        />
      </div>
      <Refusal message={mismatch ? "The two passwords differ." : state.error} />
      <Button type="submit" disabled={pending}>
        {pending && <LoaderCircle className="animate-spin" aria-hidden />}
        {pending ? "Creating your account…" : "Create account and join"}
      </Button>
    </form>
  );
}

/** Signed in as the invited email: one click joins. */
export function AcceptInvitationButton({
  action,
  tenantName,
}: {
  action: (previous: InviteActionState) => Promise<InviteActionState>;
  tenantName: string;
}) {
  const [state, submit, pending] = useActionState(action, initial);
  return (
    <form
      aria-label={`Accept the invitation to ${tenantName}`}
      action={submit}
      className="flex flex-col gap-4"
    >
      <Refusal message={state.error} />
      <Button type="submit" disabled={pending}>
        {pending && <LoaderCircle className="animate-spin" aria-hidden />}
        {pending ? "Joining…" : "Accept"}
      </Button>
    </form>
  );
}

/** Signed in as someone else: sign out, then sign in as the invited account and come back here. */
export function SwitchAccountButton({ next }: { next: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function switchAccount() {
    setPending(true);
    setError(null);
    const { error: signOutError } = await (await loadAuthClient()).signOut();
    if (signOutError) {
      setPending(false);
      setError(signOutError.message ?? "Signing out failed. Try again.");
      return;
    }
    router.replace(`/sign-in?next=${encodeURIComponent(next)}` as "/sign-in");
    router.refresh();
  }
  return (
    <div className="flex flex-col gap-2">
      <Refusal message={error} />
      <Button onClick={() => void switchAccount()} disabled={pending}>
        {pending ? <LoaderCircle className="animate-spin" aria-hidden /> : <LogOut aria-hidden />}
        Sign out and use another account
      </Button>
    </div>
  );
}
