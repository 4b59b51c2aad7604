"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useRef } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import {
  ACTIVE_BULK_OPERATION_STATUSES,
  type BulkOperationKind,
  type BulkOperationStatus,
} from "@/lib/enums";
import type { AppRouter } from "@/server/trpc/root";

/** How long a finished operation stays on the history page after it ended. */
const SHOWN_AFTER_END_MS = 10 * 60 * 1000;

const KIND_LABELS: Record<BulkOperationKind, string> = {
  cancel: "Cancel all matching",
  rerun: "Re-run all matching",
};
const STATUS_LABELS: Record<BulkOperationStatus, string> = {
  queued: "Queued",
  running: "In progress",
  completed: "Completed",
  cancelled: "Stopped",
  failed: "Failed",
};

const isActive = (status: BulkOperationStatus) => ACTIVE_BULK_OPERATION_STATUSES.includes(status);

/**
 * The tenant's bulk operations in progress and those that ended in the last minutes, with their
 * counts, polled like the list; operators can stop one (after its current batch).
 */
export function BulkOperationsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useTenantRole();
  const recent = useQuery({
    ...trpc.bulkOperations.recent.queryOptions(),
    refetchInterval: (query) =>
      query.state.data?.some((operation) => isActive(operation.status))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  const stop = useToastMutation(trpc.bulkOperations.cancel.mutationOptions(), {
    invalidate: [trpc.bulkOperations.recent.queryKey()],
    invalidateOnError: true,
    success: "Stopping after the current batch",
  });
  const activeCount = recent.data?.filter((operation) => isActive(operation.status)).length ?? 0;
  const previousActive = useRef(activeCount);
  useEffect(() => {
    // An operation ended: the runs it changed are in the list now.
    if (activeCount < previousActive.current)
      void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
    previousActive.current = activeCount;
  }, [activeCount, queryClient, trpc]);

  // "Now" is when the list was fetched: rendering stays pure, and each poll moves it on.
  const shown = (recent.data ?? []).filter(
    (operation) =>
      isActive(operation.status) ||
      (operation.finishedAt?.getTime() ?? 0) > recent.dataUpdatedAt - SHOWN_AFTER_END_MS,
  );
  // Polling failed: the operations' progress is unknown, which the page must say (a retry is offered).
  if (recent.isError)
    return (
      <section aria-label="Bulk operations" className="mb-3">
        <QueryError title="Bulk operations could not be loaded" query={recent} />
      </section>
    );
  if (!shown.length) return null;
  return (
    <section aria-label="Bulk operations" className="mb-3 flex flex-col gap-2">
      {shown.map((operation) => (
        <BulkOperationRow
          key={operation.id}
          operation={operation}
          canStop={can("operator")}
          stopping={stop.isPending}
          onStop={() => stop.mutate({ operationId: operation.id })}
        />
      ))}
    </section>
  );
}

type RecentOperation = inferRouterOutputs<AppRouter>["bulkOperations"]["recent"][number];

function BulkOperationRow({
  operation,
  canStop,
  stopping,
  onStop,
}: {
  operation: RecentOperation;
  canStop: boolean;
  stopping: boolean;
  onStop: () => void;
}) {
  const handled = operation.done + operation.skipped + operation.failed;
  return (
    <div
      className="bg-muted/40 flex flex-wrap items-center gap-x-4 gap-y-1 rounded-md border px-3 py-2 text-sm"
      aria-label={`${KIND_LABELS[operation.kind]}: ${STATUS_LABELS[operation.status]}`}
    >
      <span className="font-medium">{KIND_LABELS[operation.kind]}</span>
      <span>{STATUS_LABELS[operation.status]}</span>
      <progress className="h-2 w-40" max={operation.total} value={handled} aria-label="Progress" />
      <span className="text-muted-foreground">
        {handled} of {plural(operation.total, "run")} · {operation.done}{" "}
        {operation.kind === "cancel" ? "cancelled" : "re-run"} · {operation.skipped} skipped ·{" "}
        {operation.failed} failed
      </span>
      {operation.error && <span className="text-destructive">{operation.error}</span>}
      {operation.failed > 0 && (
        <span className="text-muted-foreground w-full text-xs">
          Failed:{" "}
          {Object.entries(operation.failureCounts)
            .map(([code, count]) => `${count} ${code.replaceAll("_", " ")}`)
            .join(", ")}
          {operation.firstFailure && ` — first: ${operation.firstFailure}`}
        </span>
      )}
      {canStop && isActive(operation.status) && (
        <Button
          size="sm"
          variant="outline"
          className="ml-auto"
          disabled={stopping}
          onClick={onStop}
        >
          Stop
        </Button>
      )}
    </div>
  );
}
