"use client";

import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import type { MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { article, type Member } from "./member";

/** Remove a member, or leave the tenant when the member is you. */
export function RemoveMemberDialog({
  removing,
  onClose,
  onConfirm,
}: {
  removing: Member | null;
  onClose: () => void;
  onConfirm: (member: Member) => void;
}) {
  return (
    <ConfirmDialog
      open={removing !== null}
      onOpenChange={(open) => !open && onClose()}
      title={removing?.isYou ? "Leave this tenant?" : `Remove ${removing?.email}?`}
      description={
        removing?.isYou
          ? "You lose access to this tenant at once; an admin can invite you again."
          : "They lose access to this tenant at once. Their account stays, with any other tenants it belongs to."
      }
      cancelLabel="Cancel"
      confirmLabel={removing?.isYou ? "Leave tenant" : "Remove member"}
      onConfirm={() => removing && onConfirm(removing)}
    />
  );
}

/** Lowering your own role: you cannot raise it back yourself. */
export function DemoteSelfDialog({
  demoting,
  onClose,
  onConfirm,
}: {
  demoting: { member: Member; role: MemberRole } | null;
  onClose: () => void;
  onConfirm: (member: Member, role: MemberRole) => void;
}) {
  return (
    <ConfirmDialog
      open={demoting !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Make yourself ${demoting ? `${article(demoting.role)} ${demoting.role}` : ""}?`}
      description={`You cannot undo this yourself${
        demoting && !roleAtLeast(demoting.role, "admin")
          ? ", and you lose access to these settings"
          : ""
      }.`}
      cancelLabel="Keep my role"
      confirmLabel="Change my role"
      onConfirm={() => demoting && onConfirm(demoting.member, demoting.role)}
    />
  );
}
