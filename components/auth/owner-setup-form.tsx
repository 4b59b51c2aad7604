"use client";

import { LoaderCircle } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState } from "react";
import { useForm, type FieldPath } from "react-hook-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { authClient } from "./auth-client";

type OwnerSetupValues = {
  token: string;
  name: string;
  email: string;
  password: string;
  confirm: string;
  tenantName: string;
};
type ApiError = { error?: { code?: string; message?: string; fields?: Record<string, string[]> } };

const FIELDS = [
  "token",
  "name",
  "email",
  "password",
  "confirm",
  "tenantName",
] as const satisfies readonly FieldPath<OwnerSetupValues>[];
const isField = (name: string): name is (typeof FIELDS)[number] =>
  (FIELDS as readonly string[]).includes(name);

/** The launcher prints the page's link with the token in the fragment, which never reaches a server or a Referer. */
function tokenFromFragment(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  return token?.trim() || null;
}

/**
 * The one-time "create the owner" form: the setup token from the launcher's log, the owner's
 * name, email and password, and the first tenant's name. On success it signs in through the
 * normal sign-in endpoint and opens the console.
 */
export function OwnerSetupForm({ minLength, maxLength }: { minLength: number; maxLength: number }) {
  const id = useId();
  const router = useRouter();
  const [formError, setFormError] = useState<{ message: string; closed?: boolean } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    setFocus,
    getValues,
    formState: { errors, isSubmitting },
  } = useForm<OwnerSetupValues>({
    defaultValues: { token: "", name: "", email: "", password: "", confirm: "", tenantName: "" },
  });

  useEffect(() => {
    const token = tokenFromFragment();
    if (!token) {
      setFocus("token");
      return;
    }
    setValue("token", token);
    setFocus("name");
    // Out of the address bar and the history once it is in the form.
    window.history.replaceState(null, "", window.location.pathname);
  }, [setValue, setFocus]);

  async function submit(values: OwnerSetupValues) {
    setFormError(null);
    const { confirm: _confirm, ...body } = values;
    let response: Response;
    try {
      response = await fetch("/api/setup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      setFormError({
        message: "The server did not answer. Check that Skillrun is running, then try again.",
      });
      return;
    }
    if (response.status === 201) {
      const { error } = await authClient.signIn.email({
        email: values.email.trim(),
        password: values.password,
      });
      // The owner exists either way; a failed sign-in here just means doing it by hand.
      router.replace(error ? "/sign-in" : "/skills");
      router.refresh();
      return;
    }
    const answer = (await response.json().catch(() => ({}))) as ApiError;
    if (response.status === 404) {
      setFormError({
        message: "An account already exists, so the first-run setup is closed.",
        closed: true,
      });
      return;
    }
    if (response.status === 403) {
      setError(
        "token",
        { message: answer.error?.message ?? "The setup token is not valid." },
        { shouldFocus: true },
      );
      return;
    }
    const fields = Object.entries(answer.error?.fields ?? {});
    for (const [field, messages] of fields)
      if (isField(field)) setError(field, { message: messages.join(" ") }, { shouldFocus: true });
    if (!fields.some(([field]) => isField(field)))
      setFormError({ message: answer.error?.message ?? "Creating the owner failed. Try again." });
  }

  const describedBy = (field: (typeof FIELDS)[number], hint?: boolean) =>
    [hint && `${id}-${field}-hint`, errors[field] && `${id}-${field}-error`]
      .filter(Boolean)
      .join(" ") || undefined;
  const fieldError = (field: (typeof FIELDS)[number]) =>
    errors[field]?.message ? (
      <p id={`${id}-${field}-error`} role="alert" className="text-destructive text-xs font-medium">
        {errors[field]?.message}
      </p>
    ) : null;

  return (
    <form
      aria-label="Create the owner"
      className="flex flex-col gap-4"
      noValidate
      onSubmit={(event) => void handleSubmit(submit)(event)}
    >
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-token`}>Setup token</Label>
        <Input
          id={`${id}-token`}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          aria-invalid={errors.token ? true : undefined}
          aria-describedby={describedBy("token", true)}
          {...register("token", {
            validate: (value) =>
              value.trim() !== "" || "Paste the setup token from the launcher's log.",
          })}
        />
        <p id={`${id}-token-hint`} className="text-muted-foreground text-xs">
          Printed in the log of <code>npm start</code> as “setup token”. Each start prints a new
          one.
        </p>
        {fieldError("token")}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-name`}>Your name</Label>
        <Input
          id={`${id}-name`}
          autoComplete="name"
          maxLength={100}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy("name")}
          {...register("name", { validate: (value) => value.trim() !== "" || "Enter your name." })}
        />
        {fieldError("name")}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-email`}>Email</Label>
        <Input
          id={`${id}-email`}
          type="email"
          autoComplete="username"
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={describedBy("email")}
          {...register("email", {
            validate: (value) => /^\S+@\S+\.\S+$/.test(value.trim()) || "Enter an email address.",
          })}
        />
        {fieldError("email")}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-password`}>Password</Label>
        <Input
          id={`${id}-password`}
          type="password"
          autoComplete="new-password"
          maxLength={maxLength}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={describedBy("password", true)}
          {...register("password", {
            minLength: {
              value: minLength,
              message: `The password needs at least ${minLength} characters.`,
            },
            maxLength: {
              value: maxLength,
              message: `The password can have at most ${maxLength} characters.`,
            },
            required: `The password needs at least ${minLength} characters.`,
          })}
        />
        <p id={`${id}-password-hint`} className="text-muted-foreground text-xs">
          {minLength} to {maxLength} characters.
        </p>
        {fieldError("password")}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-confirm`}>Repeat the password</Label>
        <Input
          id={`${id}-confirm`}
          type="password"
          autoComplete="new-password"
          maxLength={maxLength}
          aria-invalid={errors.confirm ? true : undefined}
          aria-describedby={describedBy("confirm")}
          {...register("confirm", {
            validate: (value) => value === getValues("password") || "The two passwords differ.",
          })}
        />
        {fieldError("confirm")}
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-tenantName`}>Tenant name</Label>
        <Input
          id={`${id}-tenantName`}
          autoComplete="organization"
          maxLength={100}
          aria-invalid={errors.tenantName ? true : undefined}
          aria-describedby={describedBy("tenantName", true)}
          {...register("tenantName", {
            validate: (value) => value.trim() !== "" || "Enter the tenant's name.",
          })}
        />
        <p id={`${id}-tenantName-hint`} className="text-muted-foreground text-xs">
          Your team or company; you are its owner and invite everyone else.
        </p>
        {fieldError("tenantName")}
      </div>
      {formError && (
        <Alert variant="destructive">
          <AlertDescription className="mt-0">
            {formError.message}{" "}
            {formError.closed && (
              <Link href="/sign-in" className="font-medium underline underline-offset-4">
                Go to sign-in
              </Link>
            )}
          </AlertDescription>
        </Alert>
      )}
      <Button type="submit" disabled={isSubmitting}>
        {isSubmitting && <LoaderCircle className="animate-spin" aria-hidden />}
        {isSubmitting ? "Creating the owner…" : "Create the owner"}
      </Button>
    </form>
  );
}
