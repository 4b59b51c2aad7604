"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { UserPlus, Users } from "lucide-react";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { MEMBER_ROLES, type MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { InviteMemberDialog } from "./invite-member-dialog";
import { without, type Member } from "./member";
import { DemoteSelfDialog, RemoveMemberDialog } from "./member-confirmations";
import { MembersTable } from "./members-table";
import { PendingInvitations } from "./pending-invitations";
import { useMemberMutations } from "./use-member-mutations";

/** The tenant's people: invite, re-role and remove. Admins only; the server enforces every rule shown here. */
export function Members() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role, can } = useTenantRole();
  const members = useQuery({ ...trpc.members.list.queryOptions(), enabled: can("admin") });
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [demotingSelf, setDemotingSelf] = useState<{ member: Member; role: MemberRole } | null>(
    null,
  );
  const { updateRole, remove, drafts, setDrafts } = useMemberMutations(members.data, () =>
    setRemoving(null),
  );

  if (!role) return null;
  const grantable = MEMBER_ROLES.filter((candidate) => roleAtLeast(role, candidate));
  const saveRole = (member: Member, next: MemberRole) => {
    if (member.isYou && !roleAtLeast(next, member.role)) setDemotingSelf({ member, role: next });
    else updateRole.mutate({ memberId: member.id, role: next });
  };

  return (
    <Card id="members" className="scroll-mt-20">
      <MembersHeader onInvite={() => setInviting(true)} />
      <CardContent className="flex flex-col gap-3">
        <QueryView
          query={members}
          loading={<Skeleton className="h-24" aria-label="Loading members" />}
          errorTitle="Members could not be loaded"
          isEmpty={(list) => list.length === 0}
          empty={<p className="text-muted-foreground text-sm">No members yet.</p>}
        >
          {(list) => (
            <MembersTable
              members={list}
              role={role}
              grantable={grantable}
              drafts={drafts}
              savingMemberId={updateRole.isPending ? updateRole.variables.memberId : null}
              onDraft={(memberId, next) =>
                setDrafts((current) =>
                  next === null ? without(current, memberId) : { ...current, [memberId]: next },
                )
              }
              onSaveRole={saveRole}
              onRemove={setRemoving}
            />
          )}
        </QueryView>
        {!roleAtLeast(role, "owner") && members.data?.some((member) => member.role === "owner") && (
          <p className="text-muted-foreground text-xs">
            Only an owner can change or remove an owner.
          </p>
        )}
        {can("admin") && <PendingInvitations />}
      </CardContent>
      <InviteMemberDialog
        open={inviting}
        onOpenChange={setInviting}
        grantable={grantable}
        onInvited={() =>
          queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() })
        }
      />
      <RemoveMemberDialog
        removing={removing}
        onClose={() => setRemoving(null)}
        onConfirm={(member) => remove.mutate({ memberId: member.id })}
      />
      <DemoteSelfDialog
        demoting={demotingSelf}
        onClose={() => setDemotingSelf(null)}
        onConfirm={(member, next) => updateRole.mutate({ memberId: member.id, role: next })}
      />
    </Card>
  );
}

function MembersHeader({ onInvite }: { onInvite: () => void }) {
  return (
    <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
      <div className="flex flex-col gap-1.5">
        <CardTitle className="flex items-center gap-2">
          <Users className="size-4" aria-hidden /> Members
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          Viewers read; operators also start, cancel and re-run; admins also manage agents,
          schedules, webhooks, API keys and members; owners also manage the tenant.
        </p>
      </div>
      <Button onClick={onInvite}>
        <UserPlus aria-hidden />
        Invite member
      </Button>
    </CardHeader>
  );
}
