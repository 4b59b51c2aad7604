"use client";

import { useQuery } from "@tanstack/react-query";
import { ApprovalCard } from "@/components/approvals/approval-card";
import { LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";

/** A run awaiting approval: what it waits for, with the inbox's controls. */
export function ApprovalWaiting({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const pending = useQuery({
    ...trpc.approvals.forRun.queryOptions({ runId }),
    refetchInterval: LIVE_POLL_MS,
  });
  return (
    <div className="mb-6">
      <QueryView
        query={pending}
        loading={<Skeleton className="h-40" aria-label="Loading the approval" />}
        errorTitle="The approval could not be loaded"
        isEmpty={(approval) => approval === null}
        empty={
          <p className="text-muted-foreground text-sm">
            The decision is in; the run continues shortly.
          </p>
        }
      >
        {(approval) => (approval ? <ApprovalCard approval={approval} showRunLink={false} /> : null)}
      </QueryView>
    </div>
  );
}
