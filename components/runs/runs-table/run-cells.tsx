import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { createContext, useContext } from "react";
import { formatAbsolute, formatDuration, formatRelative } from "@/components/format";
import { FeedbackCounts } from "@/components/feedback/rating";
import { cn } from "@/components/ui/cn";
import type { AppRouter } from "@/server/trpc/root";
import { formatCost, formatTokens, runDuration } from "../format";
import { QueueReason } from "../queue-reason";
import { RunLabel } from "../run-label";
import { useRunFilters } from "../run-filters";
import { SearchHitLine, TagBadges } from "../run-tags";
import { RunFailureLine, RunStatusBadge } from "../run-status";

export type RunRow = inferRouterOutputs<AppRouter>["runs"]["list"]["runs"][number];

/**
 * The moment the list's running durations are measured to: now while the list is live, the
 * last update's time while it is not, so stale rows do not keep counting. Null: now.
 */
export const ListClock = createContext<number | null>(null);

/**
 * The status, and beneath it why a failed run failed, where a queued run is in line, or what
 * members thought of a complete run's deliverable.
 */
export function StatusCell({ run, className }: { run: RunRow; className?: string }) {
  return (
    <span className={cn("flex max-w-48 min-w-0 flex-col items-start gap-1", className)}>
      <RunStatusBadge status={run.status} />
      {run.failureCode && (
        <RunFailureLine code={run.failureCode} reason={run.failureReasonLine} className="w-full" />
      )}
      {run.queue && <QueueReason queue={run.queue} />}
      {run.feedback && <FeedbackCounts good={run.feedback.good} bad={run.feedback.bad} />}
    </span>
  );
}

/** The skill, and the run's inputs on one line beneath it. */
export function SkillCell({ run }: { run: RunRow }) {
  return (
    <span className="flex max-w-72 min-w-0 flex-col gap-0.5">
      {/* The row opens the run; the link is for middle-click, "open in new tab" and screen readers. */}
      <Link href={`/runs/${run.id}`} className="truncate font-medium hover:underline" tabIndex={-1}>
        {run.skill.name}
      </Link>
      <RunLabel run={run} inline />
      {run.searchHit && <SearchHitLine hit={run.searchHit} />}
      <RowTags tags={run.tags} />
    </span>
  );
}

/** A row's tags; picking one narrows the list to it (with the tags already chosen). */
function RowTags({ tags }: { tags: string[] }) {
  const [filters, setFilters] = useRunFilters();
  return (
    <TagBadges
      tags={tags}
      className="mt-0.5"
      onPick={(tag) => void setFilters({ tag: [...new Set([...(filters.tag ?? []), tag])] })}
    />
  );
}

/** When the run was created, from now: true whether or not the list is current. */
export function CreatedCell({ run }: { run: RunRow }) {
  return (
    <time
      dateTime={run.createdAt.toISOString()}
      title={formatAbsolute(run.createdAt)}
      className="whitespace-nowrap"
    >
      {formatRelative(run.createdAt)}
    </time>
  );
}

export function DurationCell({ run }: { run: RunRow }) {
  const now = useContext(ListClock);
  const duration = runDuration(run, now ?? undefined);
  return (
    <span className="whitespace-nowrap tabular-nums">
      {duration === null ? "—" : formatDuration(duration)}
    </span>
  );
}

export const tokensOf = (run: RunRow) => formatTokens(run.inputTokens, run.outputTokens);
export const costOf = (run: RunRow) => formatCost(run.costUsd);
