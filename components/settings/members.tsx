"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Copy, LoaderCircle, MailPlus, UserPlus, Users } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { QueryError } from "@/components/shell/query-error";
import { copyToClipboard, keepOpenUntilDone } from "@/components/shell/shown-once";
import { Alert, AlertDescription } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { MEMBER_ROLES, type MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";

type Member = {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  joinedAt: Date;
  isYou: boolean;
};

/** The tenant's people: invite, re-role and remove. Admins only; the server enforces every rule shown here. */
export function Members() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { role, can } = useTenantRole();
  const members = useQuery({ ...trpc.members.list.queryOptions(), enabled: can("admin") });
  const [inviting, setInviting] = useState(false);
  const [drafts, setDrafts] = useState<Record<string, MemberRole>>({});
  const [removing, setRemoving] = useState<Member | null>(null);
  const [demotingSelf, setDemotingSelf] = useState<{ member: Member; role: MemberRole } | null>(
    null,
  );

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  /** My own role or membership changed: every page's permissions may have too. */
  const refreshEverything = async () => {
    await queryClient.invalidateQueries();
    router.refresh();
  };
  const updateRole = useMutation(
    trpc.members.updateRole.mutationOptions({
      onSuccess: async (result, input) => {
        const member = members.data?.find((row) => row.id === input.memberId);
        setDrafts((current) => without(current, input.memberId));
        if (result.changed)
          toast.success(
            `${member?.email ?? "The member"} is now ${article(result.role)} ${result.role}`,
          );
        if (member?.isYou) await refreshEverything();
        else await refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async (result) => {
        setRemoving(null);
        if (result.removedSelf) {
          toast.success("You left this tenant");
          await refreshEverything();
          router.push("/skills");
          return;
        }
        toast.success("Member removed");
        await refresh();
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  if (!role) return null;
  const grantable = MEMBER_ROLES.filter((candidate) => roleAtLeast(role, candidate));
  const owners = members.data?.filter((member) => member.role === "owner").length ?? 0;
  /** Why this member's role cannot change here, or null when it can. */
  const lockedBecause = (member: Member) =>
    !roleAtLeast(role, member.role)
      ? "Only an owner can change an owner."
      : member.role === "owner" && owners <= 1
        ? "The last owner keeps the role; make another member owner first."
        : null;

  const saveRole = (member: Member, next: MemberRole) => {
    if (member.isYou && !roleAtLeast(next, member.role)) setDemotingSelf({ member, role: next });
    else updateRole.mutate({ memberId: member.id, role: next });
  };

  return (
    <Card>
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
        <Button onClick={() => setInviting(true)}>
          <UserPlus aria-hidden />
          Invite member
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {members.isPending ? (
          <Skeleton className="h-24" aria-label="Loading members" />
        ) : members.isError ? (
          <QueryError title="Members could not be loaded" query={members} />
        ) : members.data.length === 0 ? (
          <p className="text-muted-foreground text-sm">No members yet.</p>
        ) : (
          <Table aria-label="Members">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Email</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Joined</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.data.map((member) => {
                const locked = lockedBecause(member);
                const draft = drafts[member.id] ?? member.role;
                const saving = updateRole.isPending && updateRole.variables.memberId === member.id;
                return (
                  <TableRow key={member.id} data-member-email={member.email}>
                    <TableCell className="font-medium">
                      {member.name}
                      {member.isYou && (
                        <Badge variant="outline" className="ml-2">
                          you
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell>{member.email}</TableCell>
                    <TableCell>
                      {locked ? (
                        <span title={locked}>
                          {member.role}
                          <span className="sr-only"> ({locked})</span>
                        </span>
                      ) : (
                        <form
                          className="flex items-center gap-2"
                          onSubmit={(event) => {
                            event.preventDefault();
                            if (draft !== member.role) saveRole(member, draft);
                          }}
                        >
                          <Select
                            aria-label={`Role of ${member.email}`}
                            className="w-32"
                            value={draft}
                            disabled={saving}
                            onChange={(event) =>
                              setDrafts((current) => ({
                                ...current,
                                [member.id]: event.target.value as MemberRole,
                              }))
                            }
                          >
                            {grantable.map((candidate) => (
                              <option key={candidate} value={candidate}>
                                {candidate}
                              </option>
                            ))}
                          </Select>
                          {draft !== member.role && (
                            <>
                              <Button type="submit" size="sm" disabled={saving}>
                                {saving && <LoaderCircle aria-hidden className="animate-spin" />}
                                Save role
                              </Button>
                              <Button
                                type="button"
                                size="sm"
                                variant="ghost"
                                onClick={() => setDrafts((current) => without(current, member.id))}
                              >
                                Undo
                              </Button>
                            </>
                          )}
                        </form>
                      )}
                    </TableCell>
                    <TableCell title={formatAbsolute(member.joinedAt)}>
                      {formatRelative(member.joinedAt)}
                    </TableCell>
                    <TableCell className="text-right">
                      {roleAtLeast(role, member.role) ? (
                        <Button
                          size="sm"
                          variant="outline"
                          disabled={member.role === "owner" && owners <= 1}
                          onClick={() => setRemoving(member)}
                          aria-label={member.isYou ? "Leave this tenant" : `Remove ${member.email}`}
                        >
                          {member.isYou ? "Leave" : "Remove"}
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
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
      <AlertDialog open={removing !== null} onOpenChange={(open) => !open && setRemoving(null)}>
        <AlertDialogContent>
          <AlertDialogTitle>
            {removing?.isYou ? "Leave this tenant?" : `Remove ${removing?.email}?`}
          </AlertDialogTitle>
          <AlertDialogDescription>
            {removing?.isYou
              ? "You lose access to this tenant at once; an admin can invite you again."
              : "They lose access to this tenant at once. Their account stays, with any other tenants it belongs to."}
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              destructive
              onClick={() => removing && remove.mutate({ memberId: removing.id })}
            >
              {removing?.isYou ? "Leave tenant" : "Remove member"}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
      <AlertDialog
        open={demotingSelf !== null}
        onOpenChange={(open) => !open && setDemotingSelf(null)}
      >
        <AlertDialogContent>
          <AlertDialogTitle>
            Make yourself {demotingSelf ? `${article(demotingSelf.role)} ${demotingSelf.role}` : ""}
            ?
          </AlertDialogTitle>
          <AlertDialogDescription>
            You cannot undo this yourself
            {demotingSelf && !roleAtLeast(demotingSelf.role, "admin")
              ? ", and you lose access to these settings"
              : ""}
            .
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep my role</AlertDialogCancel>
            <AlertDialogAction
              destructive
              onClick={() =>
                demotingSelf &&
                updateRole.mutate({ memberId: demotingSelf.member.id, role: demotingSelf.role })
              }
            >
              Change my role
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}

const article = (role: MemberRole) => (role === "viewer" ? "a" : "an");
const without = <T,>(record: Record<string, T>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([candidate]) => candidate !== key));

/** The invitation link, shown once: Skillrun keeps only a hash of its token. */
type CreatedInvitation = { email: string; role: MemberRole; expiresAt: Date; path: string };

function InviteMemberDialog({
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
  const id = useId();
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
  const link = created ? `${window.location.origin}${created.path}` : "";
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
          <>
            <DialogHeader>
              <DialogTitle>Invitation for {created.email}</DialogTitle>
              <DialogDescription>
                Skillrun sends no email: copy this link now and hand it to them yourself. It is
                shown only once, works once, and expires in 7 days (
                {formatAbsolute(created.expiresAt)}).
              </DialogDescription>
            </DialogHeader>
            <DialogBody className="flex flex-col gap-3">
              <Label htmlFor={`${id}-link`}>Invitation link</Label>
              <Input
                id={`${id}-link`}
                readOnly
                value={link}
                className="font-mono text-xs"
                onFocus={(event) => event.currentTarget.select()}
                data-testid="invitation-link"
              />
              <p className="text-muted-foreground text-xs">
                They join as {article(created.role)} {created.role}: with a new account if the email
                has none yet, or by signing in to their existing one. Revoke the invitation below if
                the link reaches the wrong person.
              </p>
            </DialogBody>
            <DialogFooter>
              <Button variant="outline" onClick={() => copyToClipboard(link, "Invitation link")}>
                <Copy aria-hidden />
                Copy
              </Button>
              <Button onClick={close}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form
            aria-label="Invite a member"
            className="flex min-h-0 flex-col"
            onSubmit={(event) => {
              event.preventDefault();
              invite.mutate({ email: email.trim(), role });
            }}
          >
            <DialogHeader>
              <DialogTitle>Invite a member</DialogTitle>
              <DialogDescription>
                You get a link to hand over; they join when they open it and accept with their own
                account and password.
              </DialogDescription>
            </DialogHeader>
            <DialogBody className="flex flex-col gap-4">
              {invite.isError && (
                <Alert variant="destructive">
                  <AlertDescription className="mt-0">{invite.error.message}</AlertDescription>
                </Alert>
              )}
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${id}-email`}>Email</Label>
                <Input
                  id={`${id}-email`}
                  type="email"
                  autoComplete="off"
                  required
                  maxLength={254}
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${id}-role`}>Role</Label>
                <Select
                  id={`${id}-role`}
                  value={role}
                  onChange={(event) => setRole(event.target.value as MemberRole)}
                >
                  {grantable.map((candidate) => (
                    <option key={candidate} value={candidate}>
                      {candidate}
                    </option>
                  ))}
                </Select>
              </div>
              <p className="text-muted-foreground text-xs">
                Inviting an email again replaces its pending invitation; the old link stops working.
              </p>
            </DialogBody>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={!email.trim() || invite.isPending}>
                {invite.isPending ? (
                  <LoaderCircle aria-hidden className="animate-spin" />
                ) : (
                  <UserPlus aria-hidden />
                )}
                Create invitation
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

type Invitation = {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  inviterName: string | null;
  inviterEmail: string | null;
};

/** Invitations not yet accepted, with Revoke. */
function PendingInvitations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.members.invitations.queryOptions());
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation(
    trpc.members.revokeInvitation.mutationOptions({
      onSuccess: async (_result, input) => {
        const email = invitations.data?.find(
          (invitation) => invitation.id === input.invitationId,
        )?.email;
        toast.success(`Invitation for ${email ?? "the member"} revoked`);
        await queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() });
      },
      onError: async (error) => {
        toast.error(error.message);
        // Accepted or revoked elsewhere meanwhile: show the list as it is now.
        await queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() });
      },
    }),
  );

  return (
    <section aria-labelledby="pending-invitations" className="flex flex-col gap-2">
      <h3 id="pending-invitations" className="flex items-center gap-2 text-sm font-semibold">
        <MailPlus className="size-4" aria-hidden /> Pending invitations
      </h3>
      {invitations.isPending ? (
        <Skeleton className="h-16" aria-label="Loading invitations" />
      ) : invitations.isError ? (
        <QueryError title="Invitations could not be loaded" query={invitations} />
      ) : invitations.data.length === 0 ? (
        <p className="text-muted-foreground text-sm">No pending invitations.</p>
      ) : (
        <Table aria-label="Pending invitations">
          <TableHeader>
            <TableRow>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Invited by</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {invitations.data.map((invitation) => (
              <TableRow key={invitation.id} data-invitation-email={invitation.email}>
                <TableCell className="font-medium">{invitation.email}</TableCell>
                <TableCell>{invitation.role}</TableCell>
                <TableCell title={invitation.inviterEmail ?? undefined}>
                  {invitation.inviterName ?? "—"}
                </TableCell>
                <TableCell title={formatAbsolute(invitation.expiresAt)}>
                  {formatRelative(invitation.expiresAt)}
                </TableCell>
                <TableCell className="text-right">
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={revoke.isPending && revoke.variables.invitationId === invitation.id}
                    onClick={() => setRevoking(invitation)}
                    aria-label={`Revoke the invitation for ${invitation.email}`}
                  >
                    Revoke
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <AlertDialog open={revoking !== null} onOpenChange={(open) => !open && setRevoking(null)}>
        <AlertDialogContent>
          <AlertDialogTitle>Revoke the invitation for {revoking?.email}?</AlertDialogTitle>
          <AlertDialogDescription>
            Its link stops working at once. You can invite them again later.
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep it</AlertDialogCancel>
            <AlertDialogAction
              destructive
              onClick={() => revoking && revoke.mutate({ invitationId: revoking.id })}
            >
              Revoke invitation
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </section>
  );
}
