"use client";

import { useQuery } from "@tanstack/react-query";
import { MailPlus } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Skeleton } from "@/components/ui/skeleton";
import { InvitationsTable, type Invitation } from "./invitations-table";

/** Invitations not yet accepted, with Revoke. */
export function PendingInvitations() {
  const trpc = useTRPC();
  const invitations = useQuery(trpc.members.invitations.queryOptions());
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useToastMutation(trpc.members.revokeInvitation.mutationOptions(), {
    success: (_result, input) => {
      const email = invitations.data?.find(
        (invitation) => invitation.id === input.invitationId,
      )?.email;
      return `Invitation for ${email ?? "the member"} revoked`;
    },
    invalidate: [trpc.members.invitations.queryKey()],
    // Accepted or revoked elsewhere meanwhile: show the list as it is now.
    invalidateOnError: true,
  });

  return (
    <section aria-labelledby="pending-invitations" className="flex flex-col gap-2">
      <h3 id="pending-invitations" className="flex items-center gap-2 text-sm font-semibold">
        <MailPlus className="size-4" aria-hidden /> Pending invitations
      </h3>
      <QueryView
        query={invitations}
        loading={<Skeleton className="h-16" aria-label="Loading invitations" />}
        errorTitle="Invitations could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={<p className="text-muted-foreground text-sm">No pending invitations.</p>}
      >
        {(list) => (
          <InvitationsTable
            invitations={list}
            revokingId={revoke.isPending ? revoke.variables.invitationId : null}
            onRevoke={setRevoking}
          />
        )}
      </QueryView>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke the invitation for ${revoking?.email}?`}
        description="Its link stops working at once. You can invite them again later."
        cancelLabel="Keep it"
        confirmLabel="Revoke invitation"
        onConfirm={() => revoking && revoke.mutate({ invitationId: revoking.id })}
      />
    </section>
  );
}
