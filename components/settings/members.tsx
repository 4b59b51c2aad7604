"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, UserPlus, Users } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/runs/format";
import { QueryError } from "@/components/shell/query-error";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogTitle } from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogBody, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { MEMBER_ROLES, type MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";

type Member = { id: string; name: string; email: string; role: MemberRole; joinedAt: Date; isYou: boolean };

/** The tenant's people: add, re-role and remove. Admins only; the server enforces every rule shown here. */
export function Members() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { role, can } = useTenantRole();
  const members = useQuery({ ...trpc.members.list.queryOptions(), enabled: can("admin") });
  const [adding, setAdding] = useState(false);
  const [drafts, setDrafts] = useState<Record<string, MemberRole>>({});
  const [removing, setRemoving] = useState<Member | null>(null);
  const [demotingSelf, setDemotingSelf] = useState<{ member: Member; role: MemberRole } | null>(null);

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
        if (result.changed) toast.success(`${member?.email ?? "The member"} is now ${article(result.role)} ${result.role}`);
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
    !roleAtLeast(role, member.role) ? "Only an owner can change an owner." : member.role === "owner" && owners <= 1 ? "The last owner keeps the role; make another member owner first." : null;

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
          <p className="text-sm text-muted-foreground">
            Viewers read; operators also start, cancel and re-run; admins also manage agents, schedules, webhooks, API keys and members; owners also manage the tenant.
          </p>
        </div>
        <Button onClick={() => setAdding(true)}>
          <UserPlus aria-hidden />
          Add member
        </Button>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {members.isPending ? (
          <Skeleton className="h-24" aria-label="Loading members" />
        ) : members.isError ? (
          <QueryError title="Members could not be loaded" query={members} />
        ) : members.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">No members yet.</p>
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
                            onChange={(event) => setDrafts((current) => ({ ...current, [member.id]: event.target.value as MemberRole }))}
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
                              <Button type="button" size="sm" variant="ghost" onClick={() => setDrafts((current) => without(current, member.id))}>
                                Undo
                              </Button>
                            </>
                          )}
                        </form>
                      )}
                    </TableCell>
                    <TableCell title={formatAbsolute(member.joinedAt)}>{formatRelative(member.joinedAt)}</TableCell>
                    <TableCell className="text-right">
                      {roleAtLeast(role, member.role) ? (
                        <Button size="sm" variant="outline" disabled={member.role === "owner" && owners <= 1} onClick={() => setRemoving(member)} aria-label={member.isYou ? "Leave this tenant" : `Remove ${member.email}`}>
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
          <p className="text-xs text-muted-foreground">Only an owner can change or remove an owner.</p>
        )}
      </CardContent>
      <AddMemberDialog open={adding} onOpenChange={setAdding} grantable={grantable} onAdded={refresh} />
      <AlertDialog open={removing !== null} onOpenChange={(open) => !open && setRemoving(null)}>
        <AlertDialogContent>
          <AlertDialogTitle>{removing?.isYou ? "Leave this tenant?" : `Remove ${removing?.email}?`}</AlertDialogTitle>
          <AlertDialogDescription>
            {removing?.isYou
              ? "You lose access to this tenant at once; an admin can add you again."
              : "They lose access to this tenant at once. Their account stays, with any other tenants it belongs to."}
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => removing && remove.mutate({ memberId: removing.id })}>
              {removing?.isYou ? "Leave tenant" : "Remove member"}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
      <AlertDialog open={demotingSelf !== null} onOpenChange={(open) => !open && setDemotingSelf(null)}>
        <AlertDialogContent>
          <AlertDialogTitle>Make yourself {demotingSelf ? `${article(demotingSelf.role)} ${demotingSelf.role}` : ""}?</AlertDialogTitle>
          <AlertDialogDescription>You cannot undo this yourself{demotingSelf && !roleAtLeast(demotingSelf.role, "admin") ? ", and you lose access to these settings" : ""}.</AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep my role</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => demotingSelf && updateRole.mutate({ memberId: demotingSelf.member.id, role: demotingSelf.role })}>
              Change my role
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}

const article = (role: MemberRole) => (role === "viewer" ? "a" : "an");
const without = <T,>(record: Record<string, T>, key: string) => Object.fromEntries(Object.entries(record).filter(([candidate]) => candidate !== key));

function AddMemberDialog({ open, onOpenChange, grantable, onAdded }: { open: boolean; onOpenChange: (open: boolean) => void; grantable: MemberRole[]; onAdded: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const id = useId();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<MemberRole>("viewer");
  const [password, setPassword] = useState("");
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async (member) => {
        toast.success(
          member.accountCreated
            ? `Account created for ${member.email}: they sign in with the initial password you set`
            : `${member.email} added: they sign in with their existing password`,
        );
        close();
        await onAdded();
      },
    }),
  );
  function close() {
    setEmail("");
    setName("");
    setRole("viewer");
    setPassword("");
    add.reset();
    onOpenChange(false);
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : close())}>
      <DialogContent>
        <form
          aria-label="Add a member"
          className="flex min-h-0 flex-col"
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate({ email: email.trim(), name: name.trim() || undefined, role, password: password || undefined });
          }}
        >
          <DialogHeader>
            <DialogTitle>Add a member</DialogTitle>
            <DialogDescription>Someone who already has a Skillrun account keeps their name and password. For a new email, set an initial password and share it with them.</DialogDescription>
          </DialogHeader>
          <DialogBody className="flex flex-col gap-4">
            {add.isError && (
              <Alert variant="destructive">
                <AlertDescription className="mt-0">{add.error.message}</AlertDescription>
              </Alert>
            )}
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-email`}>Email</Label>
              <Input id={`${id}-email`} type="email" autoComplete="off" required maxLength={254} value={email} onChange={(event) => setEmail(event.target.value)} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-name`}>Name</Label>
              <Input id={`${id}-name`} autoComplete="off" maxLength={100} value={name} onChange={(event) => setName(event.target.value)} aria-describedby={`${id}-name-hint`} />
              <p id={`${id}-name-hint`} className="text-xs text-muted-foreground">
                For a new account; an existing one keeps its own name.
              </p>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-role`}>Role</Label>
              <Select id={`${id}-role`} value={role} onChange={(event) => setRole(event.target.value as MemberRole)}>
                {grantable.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {candidate}
                  </option>
                ))}
              </Select>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-password`}>Initial password</Label>
              <Input
                id={`${id}-password`}
                type="password"
                autoComplete="new-password"
                minLength={8}
                maxLength={128}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                aria-describedby={`${id}-password-hint`}
              />
              <p id={`${id}-password-hint`} className="text-xs text-muted-foreground">
                Needed only when the email has no account yet; at least 8 characters.
              </p>
            </div>
          </DialogBody>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={!email.trim() || add.isPending}>
              {add.isPending ? <LoaderCircle aria-hidden className="animate-spin" /> : <UserPlus aria-hidden />}
              Add member
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
