import "server-only";
import { and, eq, sql, type AnyColumn } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";
import { runRefSchema } from "@/inngest/events";
import { failRun, startedByEngineRun } from "./run-lifecycle";

/** run-skill's `timeouts`, in seconds (RUN_START_TIMEOUT_SECONDS, RUN_FINISH_TIMEOUT_SECONDS). */
export type RunTimeoutLimits = { startSeconds: number; finishSeconds: number };

export type TimeoutOutcome = "start_timeout" | "run_timeout" | "unchanged";

/**
 * Whether `since` lies at least `limitSeconds` back, by the database's clock, less a little: the
 * engine's clocks start elsewhere (its finish clock at the first request, before `started_at`).
 */
function atLeastAgo(since: AnyColumn, limitSeconds: number) {
  const slackSeconds = Math.min(5, limitSeconds / 10);
  return sql`${since} <= now() - make_interval(secs => ${limitSeconds - slackSeconds})`;
}

/**
 * A run-skill engine run was cancelled, and Skillrun did not ask for it: a cancel Skillrun asks
 * for marks the run `cancelled` before the engine hears of it. A run the engine cancelled past a
 * `timeouts` limit is still queued or running here, and old enough: still queued that long, it
 * never started (`start_timeout`); running under this engine run that long, it ran too long
 * (`run_timeout`). Anything else is left alone: a run already terminal, one another engine run
 * has started since, and one cancelled early from an external Inngest server's UI (the
 * reconciler settles that as before). Both inputs come back from the engine, so they are read as
 * untrusted.
 */
export async function failTimedOutRun(
  db: Database,
  cancelled: { triggeringEventData: unknown; engineRunId: unknown },
  limits: RunTimeoutLimits,
): Promise<TimeoutOutcome> {
  const ref = runRefSchema.safeParse(cancelled.triggeringEventData);
  const engineRunId = z.string().min(1).max(200).safeParse(cancelled.engineRunId);
  if (!ref.success || !engineRunId.success) return "unchanged";
  const neverStarted = await failRun(
    db,
    ref.data,
    {
      code: "start_timeout",
      reason: `The run waited more than ${limits.startSeconds} s to start (RUN_START_TIMEOUT_SECONDS), behind the tenant's other runs, and the engine dropped it.`,
    },
    and(
      eq(skillRuns.status, "queued"),
      startedByEngineRun(engineRunId.data),
      atLeastAgo(skillRuns.createdAt, limits.startSeconds),
    ),
  );
  if (neverStarted) return "start_timeout";
  const ranTooLong = await failRun(
    db,
    ref.data,
    {
      code: "run_timeout",
      reason: `The run was still going ${limits.finishSeconds} s after it started (RUN_FINISH_TIMEOUT_SECONDS), and the engine stopped it.`,
    },
    and(
      eq(skillRuns.status, "running"),
      eq(skillRuns.inngestRunId, engineRunId.data),
      atLeastAgo(skillRuns.startedAt, limits.finishSeconds),
    ),
  );
  return ranTooLong ? "run_timeout" : "unchanged";
}
