"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Copy, LoaderCircle, Pencil, RefreshCw, RotateCcw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, useId, useMemo, useState } from "react";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { RunStatusBadge } from "@/components/runs/run-status";
import { PageHeader } from "@/components/shell/page-header";
import { QueryError } from "@/components/shell/query-error";
import { copyToClipboard } from "@/components/shell/shown-once";
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
import { inputFieldsOf } from "@/lib/skill-inputs";
import { DeliveryVerdictBadge } from "./delivery-verdict";
import { SecretDialog } from "./secret-dialog";
import { curlExample, examplePayload } from "./signing-example";
import { webhookEndpoint } from "./webhook-list";
import { WebhookFormDialog } from "./webhook-form-dialog";

/** The delivery log refreshes this often while the page is open: senders do not wait for operators. */
const DELIVERY_POLL_MS = 5_000;
const PAGE_SIZE = 50;
/** Grace choices for the old secret after a rotation; the server allows 0 to 168 hours. */
const GRACE_CHOICES = [
  { hours: 0, label: "None: the old secret stops now" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 168, label: "7 days" },
];

export function WebhookDetail({ webhookId }: { webhookId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can } = useTenantRole();
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [newSecret, setNewSecret] = useState<string | null>(null);
  const webhook = useQuery({
    ...trpc.webhooks.get.queryOptions({ webhookId }),
    retry: (count, error) =>
      error.data?.code !== "NOT_FOUND" && error.data?.code !== "BAD_REQUEST" && count < 2,
  });
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: webhook.data?.skill.slug ?? "" }),
    enabled: webhook.isSuccess,
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const toggle = useMutation(
    trpc.webhooks.setEnabled.mutationOptions({
      onSuccess: async (_, variables) => {
        toast.success(variables.enabled ? "Webhook enabled" : "Webhook disabled");
        await invalidate();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: async () => {
        toast.success("Webhook deleted");
        await invalidate();
        router.push("/webhooks");
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  const example = useMemo(() => {
    if (!webhook.data) return null;
    const fields = skill.data ? inputFieldsOf(skill.data.inputsSchema) : [];
    return curlExample(
      webhookEndpoint(webhookId),
      JSON.stringify(examplePayload(fields, webhook.data.inputMapping)),
    );
  }, [webhook.data, skill.data, webhookId]);

  if (webhook.isPending) return <Skeleton className="h-96" aria-label="Loading webhook" />;
  if (webhook.isError) {
    if (webhook.error.data?.code === "NOT_FOUND" || webhook.error.data?.code === "BAD_REQUEST") {
      return (
        <p className="border-border rounded-lg border border-dashed px-6 py-16 text-center">
          Webhook not found.{" "}
          <Link href="/webhooks" className="text-primary hover:underline">
            Back to webhooks
          </Link>
        </p>
      );
    }
    return <QueryError title="The webhook could not be loaded" query={webhook} />;
  }
  const data = webhook.data;
  const mapping = Object.entries(data.inputMapping);

  return (
    <>
      <PageHeader
        title={data.name}
        description={
          <>
            Starts{" "}
            <Link href={`/skills/${data.skill.slug}`} className="text-primary hover:underline">
              {data.skill.name}
            </Link>{" "}
            with{" "}
            {data.agent ? (
              <Link href={`/agents/${data.agent.id}`} className="text-primary hover:underline">
                {data.agent.name}
              </Link>
            ) : (
              "the tenant's default agent"
            )}{" "}
            ·{" "}
            {data.enabled ? (
              <Badge variant="success">Enabled</Badge>
            ) : (
              <Badge variant="outline">Disabled</Badge>
            )}
          </>
        }
        actions={
          can("admin") && (
            <div className="flex flex-wrap gap-2">
              <Button
                variant="outline"
                onClick={() => toggle.mutate({ webhookId, enabled: !data.enabled })}
                disabled={toggle.isPending}
              >
                {data.enabled ? "Disable" : "Enable"}
              </Button>
              <Button variant="outline" onClick={() => setEditing(true)}>
                <Pencil aria-hidden />
                Edit
              </Button>
              <Button variant="outline" onClick={() => setRotating(true)}>
                <RotateCcw aria-hidden />
                Rotate secret
              </Button>
              <Button variant="outline" onClick={() => setConfirmDelete(true)}>
                <Trash2 aria-hidden />
                Delete
              </Button>
            </div>
          )
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Endpoint</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 text-sm">
            <code
              className="bg-muted rounded-md p-2 font-mono text-xs break-all"
              data-testid="webhook-endpoint"
            >
              POST {webhookEndpoint(webhookId)}
            </code>
            <p className="text-muted-foreground">
              Sign each delivery:{" "}
              <code>
                Skillrun-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of
                &quot;&lt;t&gt;.&lt;raw body&gt;&quot;&gt;
              </code>{" "}
              with the webhook&apos;s secret; timestamps more than 5 minutes off are refused. Send a
              unique <code>Skillrun-Delivery-Id</code>: a repeat within 24 h gets the original run.
              JSON bodies up to 256 KB, {data.rateLimitPerMinute} deliveries a minute.
            </p>
            {data.previousSecretExpiresAt && data.previousSecretExpiresAt > new Date() && (
              <p>
                The previous secret is accepted until{" "}
                <time dateTime={data.previousSecretExpiresAt.toISOString()}>
                  {formatAbsolute(data.previousSecretExpiresAt)}
                </time>
                .
              </p>
            )}
            {example && (
              <div>
                <div className="mb-1 flex items-center justify-between">
                  <span className="font-medium">Example</span>
                  <Button
                    size="sm"
                    variant="outline"
                    onClick={() => copyToClipboard(example, "Example")}
                  >
                    <Copy aria-hidden />
                    Copy
                  </Button>
                </div>
                <pre
                  className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs"
                  data-testid="curl-example"
                >
                  {example}
                </pre>
              </div>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Inputs from the payload</CardTitle>
          </CardHeader>
          <CardContent>
            {mapping.length === 0 ? (
              <p className="text-muted-foreground text-sm">
                Nothing is mapped: runs get the skill&apos;s defaults.
              </p>
            ) : (
              <Table aria-label="Input mapping">
                <TableHeader>
                  <TableRow>
                    <TableHead>Input</TableHead>
                    <TableHead>JSON Pointer</TableHead>
                    <TableHead>Default</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {mapping.map(([input, rule]) => (
                    <TableRow key={input}>
                      <TableCell className="font-mono text-xs">{input}</TableCell>
                      <TableCell className="font-mono text-xs">{rule.pointer ?? "—"}</TableCell>
                      <TableCell className="font-mono text-xs">
                        {rule.default === undefined ? "—" : JSON.stringify(rule.default)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </CardContent>
        </Card>
      </div>
      <Deliveries webhookId={webhookId} />
      <WebhookFormDialog
        open={editing}
        onOpenChange={setEditing}
        webhookId={webhookId}
        initial={{
          name: data.name,
          skillId: data.skill.id,
          agentId: data.agent?.id ?? null,
          inputMapping: data.inputMapping,
          rateLimitPerMinute: data.rateLimitPerMinute,
          enabled: data.enabled,
        }}
      />
      <RotateSecretDialog
        open={rotating}
        onOpenChange={setRotating}
        webhookId={webhookId}
        onRotated={setNewSecret}
      />
      <SecretDialog
        secret={newSecret}
        title="Secret rotated"
        endpoint={webhookEndpoint(webhookId)}
        onClose={() => setNewSecret(null)}
      />
      <AlertDialog open={confirmDelete} onOpenChange={setConfirmDelete}>
        <AlertDialogContent>
          <AlertDialogTitle>Delete “{data.name}”?</AlertDialogTitle>
          <AlertDialogDescription>
            Deliveries to it get 404 from now on, and its delivery log goes with it. Runs it started
            stay in the history.
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep it</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => remove.mutate({ webhookId })}>
              Delete webhook
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}

function RotateSecretDialog({
  open,
  onOpenChange,
  webhookId,
  onRotated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  webhookId: string;
  onRotated: (secret: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [graceHours, setGraceHours] = useState(24);
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: async ({ secret }) => {
        onOpenChange(false);
        onRotated(secret);
        await queryClient.invalidateQueries({
          queryKey: trpc.webhooks.get.queryKey({ webhookId }),
        });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!rotate.isPending) rotate.mutate({ webhookId, graceHours });
          }}
        >
          <DialogHeader>
            <DialogTitle>Rotate the signing secret</DialogTitle>
            <DialogDescription>
              A new secret is made and shown once. The current one keeps working for the grace
              period, so the sender can switch without losing deliveries.
            </DialogDescription>
          </DialogHeader>
          <DialogBody className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-grace`}>Old secret stays valid for</Label>
            <Select
              id={`${id}-grace`}
              value={graceHours}
              onChange={(event) => setGraceHours(Number(event.target.value))}
            >
              {GRACE_CHOICES.map((choice) => (
                <option key={choice.hours} value={choice.hours}>
                  {choice.label}
                </option>
              ))}
            </Select>
          </DialogBody>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={rotate.isPending}>
              {rotate.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
              Rotate secret
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can } = useTenantRole();
  const [openPayload, setOpenPayload] = useState<string | null>(null);
  const deliveries = useInfiniteQuery({
    ...trpc.webhooks.deliveries.infiniteQueryOptions(
      { webhookId, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor },
    ),
    refetchInterval: DELIVERY_POLL_MS,
  });
  const payload = useQuery({
    ...trpc.webhooks.deliveryPayload.queryOptions({ deliveryId: openPayload ?? "" }),
    enabled: openPayload !== null,
  });
  const replay = useMutation(
    trpc.webhooks.replay.mutationOptions({
      onSuccess: async ({ runId }) => {
        toast.success("Delivery replayed", {
          action: { label: "Open run", onClick: () => router.push(`/runs/${runId}`) },
        });
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];

  return (
    <Card className="mt-4">
      <CardHeader className="flex flex-row items-center justify-between">
        <CardTitle>Deliveries</CardTitle>
        <Button
          size="sm"
          variant="outline"
          onClick={() => void deliveries.refetch()}
          disabled={deliveries.isFetching}
        >
          <RefreshCw aria-hidden className={deliveries.isFetching ? "animate-spin" : undefined} />
          Refresh
        </Button>
      </CardHeader>
      <CardContent>
        {deliveries.isPending ? (
          <Skeleton className="h-32" aria-label="Loading deliveries" />
        ) : deliveries.isError ? (
          <QueryError title="Deliveries could not be loaded" query={deliveries} />
        ) : rows.length === 0 ? (
          <p className="text-muted-foreground text-sm">
            No deliveries yet. Send one with the example above.
          </p>
        ) : (
          <>
            <Table aria-label="Deliveries">
              <TableHeader>
                <TableRow>
                  <TableHead>Received</TableHead>
                  <TableHead>Delivery id</TableHead>
                  <TableHead>Verdict</TableHead>
                  <TableHead>Run</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((delivery) => (
                  <Fragment key={delivery.id}>
                    <TableRow data-delivery-id={delivery.id}>
                      <TableCell>
                        <time
                          dateTime={delivery.receivedAt.toISOString()}
                          title={formatAbsolute(delivery.receivedAt)}
                        >
                          {formatRelative(delivery.receivedAt)}
                        </time>
                        <div className="text-muted-foreground text-xs">
                          HTTP {delivery.httpStatus} · {delivery.bodyBytes.toLocaleString()} bytes
                          {delivery.replayOfId && " · replay"}
                        </div>
                      </TableCell>
                      <TableCell
                        className="max-w-48 truncate font-mono text-xs"
                        title={delivery.deliveryId ?? undefined}
                      >
                        {delivery.deliveryId ?? "—"}
                      </TableCell>
                      <TableCell>
                        <DeliveryVerdictBadge verdict={delivery.verdict} />
                        {delivery.error && (
                          <p className="text-muted-foreground mt-1 max-w-72 text-xs">
                            {delivery.error}
                          </p>
                        )}
                      </TableCell>
                      <TableCell>
                        {delivery.run?.id ? (
                          <Link
                            href={`/runs/${delivery.run.id}`}
                            className="inline-flex items-center gap-2 hover:underline"
                          >
                            <RunStatusBadge status={delivery.run.status} />
                            <span className="font-mono text-xs">{delivery.run.id.slice(0, 8)}</span>
                          </Link>
                        ) : (
                          <span className="text-muted-foreground">—</span>
                        )}
                      </TableCell>
                      <TableCell className="text-right whitespace-nowrap">
                        {delivery.replayable && (
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-expanded={openPayload === delivery.id}
                            onClick={() =>
                              setOpenPayload(openPayload === delivery.id ? null : delivery.id)
                            }
                          >
                            Payload
                          </Button>
                        )}
                        {delivery.replayable && can("operator") && (
                          <Button
                            size="sm"
                            variant="outline"
                            onClick={() => replay.mutate({ deliveryId: delivery.id })}
                            disabled={replay.isPending}
                          >
                            Replay
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                    {openPayload === delivery.id && (
                      <TableRow>
                        <TableCell colSpan={5}>
                          {payload.isPending ? (
                            <Skeleton className="h-16" />
                          ) : payload.isError ? (
                            <QueryError title="The payload could not be loaded" query={payload} />
                          ) : (
                            <pre className="bg-muted max-h-80 overflow-auto rounded-md p-3 font-mono text-xs">
                              {JSON.stringify(payload.data, null, 2)}
                            </pre>
                          )}
                        </TableCell>
                      </TableRow>
                    )}
                  </Fragment>
                ))}
              </TableBody>
            </Table>
            {deliveries.hasNextPage && (
              <Button
                variant="outline"
                className="mt-3"
                onClick={() => void deliveries.fetchNextPage()}
                disabled={deliveries.isFetchingNextPage}
              >
                {deliveries.isFetchingNextPage && (
                  <LoaderCircle aria-hidden className="animate-spin" />
                )}
                Load more
              </Button>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
