"use client";

import { useQuery } from "@tanstack/react-query";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { formatAbsolute, formatRelative } from "@/components/format";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { RunDeliveryStatus, RunDeliveryTarget } from "@/lib/enums";

const TARGET_LABELS: Record<RunDeliveryTarget, string> = {
  callback: "Callback",
  email: "Email",
  slack: "Slack",
  webhook: "Signed webhook",
};

const STATUS_LABELS: Record<RunDeliveryStatus, string> = {
  waiting: "Waiting for the run",
  pending: "Sending",
  sent: "Sent",
  failed: "Failed",
};

const STATUS_VARIANTS = {
  waiting: "outline",
  pending: "warning",
  sent: "success",
  failed: "danger",
} as const satisfies Record<RunDeliveryStatus, string>;

const isOpen = (status: RunDeliveryStatus) => status === "waiting" || status === "pending";

/**
 * Where this run's result goes (a REST callback, the channels of the schedule or webhook that
 * started it), each with its status, attempts and last error; operators retry a failed one. Shown
 * only when the run has deliveries.
 */
export function DeliveriesCard({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const deliveries = useQuery({
    ...trpc.runDeliveries.list.queryOptions({ runId }),
    refetchInterval: (query) =>
      query.state.data?.some((row) => isOpen(row.status)) ? LIVE_POLL_MS : IDLE_POLL_MS,
  });
  const retry = useToastMutation(trpc.runDeliveries.retry.mutationOptions(), {
    success: () => "Delivery queued again: it is sent within a minute",
    invalidate: [trpc.runDeliveries.list.queryKey({ runId })],
  });
  if (deliveries.data?.length === 0) return null;
  return (
    <Card className="min-w-0" data-testid="run-deliveries">
      <CardHeader>
        <CardTitle>Deliveries</CardTitle>
      </CardHeader>
      <CardContent>
        <QueryView
          query={deliveries}
          loading={<p className="text-muted-foreground text-sm">Loading deliveries…</p>}
          errorTitle="Deliveries could not be loaded"
        >
          {(rows) => (
            <ul className="divide-border flex flex-col divide-y text-sm" aria-label="Deliveries">
              {rows.map((row) => {
                const when = row.sentAt ?? row.lastAttemptAt ?? row.queuedAt;
                return (
                  <li key={row.id} className="flex flex-wrap items-start gap-x-3 gap-y-1 py-2">
                    <div className="flex min-w-0 flex-1 flex-col gap-0.5">
                      <span className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{TARGET_LABELS[row.targetKind]}</span>
                        <span className="text-muted-foreground break-all">{row.target}</span>
                        <Badge variant={STATUS_VARIANTS[row.status]}>
                          {STATUS_LABELS[row.status]}
                        </Badge>
                      </span>
                      <span className="text-muted-foreground text-xs">
                        {row.attempts === 1 ? "1 attempt" : `${row.attempts} attempts`}
                        {when && (
                          <>
                            {" · "}
                            <time dateTime={when.toISOString()} title={formatAbsolute(when)}>
                              {formatRelative(when)}
                            </time>
                          </>
                        )}
                      </span>
                      {row.error && row.status !== "sent" && (
                        <p className="text-destructive text-xs break-words">{row.error}</p>
                      )}
                    </div>
                    {can("operator") && row.status === "failed" && (
                      <Button
                        size="sm"
                        variant="outline"
                        disabled={retry.isPending}
                        aria-label={`Retry the ${TARGET_LABELS[row.targetKind].toLowerCase()} delivery to ${row.target}`}
                        onClick={() => retry.mutate({ deliveryId: row.id })}
                      >
                        Retry
                      </Button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}
