"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { keepOpenUntilDone } from "@/components/shell/shown-once";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import type { MemberRole } from "@/lib/enums";
import { InvitationLink, type CreatedInvitation } from "./invitation-link";
import { InviteForm } from "./invite-form";

/** Invite by email and role; the link is then shown once, since Skillrun keeps only its hash. */
export function InviteMemberDialog({
  open,
  onOpenChange,
  grantable,
  onInvited,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  grantable: MemberRole[];
  onInvited: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<MemberRole>("viewer");
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: async (invitation) => {
        setCreated(invitation);
        await onInvited();
      },
    }),
  );
  function close() {
    setEmail("");
    setRole("viewer");
    setCreated(null);
    invite.reset();
    onOpenChange(false);
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : close())}>
      {/* Once the link is shown, only Done closes the dialog: the link cannot be shown again. */}
      <DialogContent {...(created ? keepOpenUntilDone : {})}>
        {created ? (
          <InvitationLink created={created} onDone={close} />
        ) : (
          <InviteForm
            email={email}
            onEmail={setEmail}
            role={role}
            onRole={setRole}
            grantable={grantable}
            pending={invite.isPending}
            error={invite.error?.message ?? null}
            onSubmit={() => invite.mutate({ email: email.trim(), role })}
            onCancel={close}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}
