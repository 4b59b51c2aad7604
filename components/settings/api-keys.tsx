"use client";

import { useQuery } from "@tanstack/react-query";
import { Copy, KeyRound, LoaderCircle, Plus } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { QueryView } from "@/components/shell/query-view";
import { copyToClipboard, keepOpenUntilDone } from "@/components/shell/shown-once";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
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

export function ApiKeys() {
  const trpc = useTRPC();
  const id = useId();
  const { role, can } = useTenantRole();
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions(), enabled: can("admin") });
  const [name, setName] = useState("");
  const [keyRole, setKeyRole] = useState<MemberRole>("operator");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const invalidate = [trpc.apiKeys.list.queryKey()];
  const create = useToastMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (key) => {
        setCreated({ name: key.name, key: key.key });
        setName("");
      },
    }),
    { invalidate },
  );
  const revoke = useToastMutation(trpc.apiKeys.revoke.mutationOptions(), {
    success: "Key revoked",
    invalidate,
  });

  if (!can("admin")) {
    return (
      <Card id="api-keys" className="scroll-mt-20">
        <CardHeader>
          <CardTitle>API keys</CardTitle>
        </CardHeader>
        <CardContent className="text-muted-foreground text-sm">
          Only admins of this tenant manage API keys.
        </CardContent>
      </Card>
    );
  }

  return (
    <Card id="api-keys" className="scroll-mt-20">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <KeyRound className="size-4" aria-hidden /> API keys
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          For the REST API (
          <Link className="text-link" href="/settings/api">
            reference
          </Link>
          ,{" "}
          <a className="text-link" href="/api/v1/openapi.json">
            OpenAPI document
          </a>
          ). A key acts with its role in this tenant, never above its creator&apos;s current role,
          and stops working if its creator leaves the tenant. It is shown once.
        </p>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form
          className="flex flex-wrap items-end gap-3"
          aria-label="Create an API key"
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim()) create.mutate({ name: name.trim(), role: keyRole });
          }}
        >
          <div className="flex min-w-56 flex-1 flex-col gap-1.5">
            <Label htmlFor={`${id}-name`}>Key name</Label>
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder="e.g. CI pipeline"
              required
              maxLength={100}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-role`}>Role</Label>
            <Select
              id={`${id}-role`}
              value={keyRole}
              onChange={(event) => setKeyRole(event.target.value as MemberRole)}
            >
              {MEMBER_ROLES.filter((candidate) => role && roleAtLeast(role, candidate)).map(
                (candidate) => (
                  <option key={candidate} value={candidate}>
                    {candidate}
                  </option>
                ),
              )}
            </Select>
          </div>
          <Button type="submit" disabled={!name.trim() || create.isPending}>
            {create.isPending ? (
              <LoaderCircle aria-hidden className="animate-spin" />
            ) : (
              <Plus aria-hidden />
            )}
            Create key
          </Button>
        </form>
        <QueryView
          query={keys}
          loading={<Skeleton className="h-24" />}
          errorTitle="Keys could not be loaded"
          isEmpty={(list) => list.length === 0}
          empty={<p className="text-muted-foreground text-sm">No API keys yet.</p>}
        >
          {(list) => (
            <Table aria-label="API keys">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Key</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead className="hidden md:table-cell">Created by</TableHead>
                  <TableHead className="hidden md:table-cell">Created</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.map((key) => (
                  <TableRow key={key.id}>
                    <TableCell className="font-medium">{key.name}</TableCell>
                    <TableCell>
                      <code className="font-mono text-xs">{key.prefix}_…</code>
                    </TableCell>
                    <TableCell>
                      <KeyRole
                        role={key.role}
                        effectiveRole={key.effectiveRole}
                        revoked={key.revokedAt !== null}
                      />
                    </TableCell>
                    <TableCell className="hidden md:table-cell">
                      {key.createdBy ? (
                        <span title={key.createdBy.email}>{key.createdBy.name}</span>
                      ) : (
                        <span className="text-muted-foreground">a deleted account</span>
                      )}
                    </TableCell>
                    <TableCell
                      className="hidden whitespace-nowrap md:table-cell"
                      title={formatAbsolute(key.createdAt)}
                    >
                      {formatRelative(key.createdAt)}
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      {key.lastUsedAt ? formatRelative(key.lastUsedAt) : "never"}
                    </TableCell>
                    <TableCell className="text-right">
                      {key.revokedAt ? (
                        <Badge variant="outline">Revoked</Badge>
                      ) : (
                        <Button
                          size="sm"
                          variant="outline"
                          onClick={() => setRevoking({ id: key.id, name: key.name })}
                        >
                          Revoke
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </QueryView>
      </CardContent>
      <Dialog open={created !== null} onOpenChange={(open) => !open && setCreated(null)}>
        <DialogContent {...keepOpenUntilDone}>
          <DialogHeader>
            <DialogTitle>Key “{created?.name}” created</DialogTitle>
            <DialogDescription>
              Copy it now: Skillrun keeps only its hash and cannot show it again.
            </DialogDescription>
          </DialogHeader>
          <DialogBody>
            <code
              className="bg-muted block rounded-md p-3 font-mono text-sm break-all"
              data-testid="new-api-key"
            >
              {created?.key}
            </code>
          </DialogBody>
          <DialogFooter>
            <Button variant="outline" onClick={() => copyToClipboard(created?.key ?? "", "Key")}>
              <Copy aria-hidden />
              Copy
            </Button>
            <Button onClick={() => setCreated(null)}>Done</Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={<>Revoke “{revoking?.name}”?</>}
        description="Requests with this key fail from now on. This cannot be undone."
        cancelLabel="Keep it"
        confirmLabel="Revoke key"
        onConfirm={() => revoking && revoke.mutate({ keyId: revoking.id })}
      />
    </Card>
  );
}

/** The key's role, and what it acts as when its creator's current role is lower or gone. */
function KeyRole({
  role,
  effectiveRole,
  revoked,
}: {
  role: string;
  effectiveRole: MemberRole | null;
  revoked: boolean;
}) {
  if (revoked) return <>{role}</>;
  if (effectiveRole === null) {
    return (
      <span className="flex flex-wrap items-center gap-1.5">
        {role}
        <Badge variant="danger">creator no longer a member — key inactive</Badge>
      </span>
    );
  }
  if (effectiveRole !== role) {
    return (
      <span className="flex flex-wrap items-center gap-1.5">
        {role}
        <Badge variant="warning" title="A key never acts above its creator's current role.">
          acts as {effectiveRole}
        </Badge>
      </span>
    );
  }
  return <>{role}</>;
}
