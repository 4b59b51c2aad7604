"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";

/** How often the sidebar's count of runs awaiting approval is refreshed. */
const COUNT_POLL_MS = 15_000;

/** The sidebar's badge: how many runs wait for a decision (nothing when none or unknown). */
export function ApprovalsCount() {
  const trpc = useTRPC();
  const count = useQuery({
    ...trpc.approvals.count.queryOptions(),
    refetchInterval: COUNT_POLL_MS,
  });
  if (!count.data) return null;
  return (
    <span
      className="bg-warning-muted text-warning ml-auto rounded-full px-1.5 text-xs font-semibold tabular-nums"
      data-testid="approvals-count"
    >
      {count.data}
      <span className="sr-only"> waiting</span>
    </span>
  );
}
