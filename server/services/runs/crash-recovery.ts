import "server-only";
import { and, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { reportsDatabaseUnavailable } from "@/server/db/errors";
import { runEvents, skillRuns } from "@/server/db/schema";
import { RUN_REQUESTED, runRefSchema, type RunRef } from "@/inngest/events";
import { crashReason, failCrashedRun } from "./run-lifecycle";
import { transitionRun } from "./run-timeline";
import type { RunServiceDeps } from "./runs";

/**
 * How often one run is dispatched again after an outage before a crash fails it: an outage
 * that outlasts this many executions is not a blip, and the run fails visibly as before.
 */
export const MAX_REDISPATCHES = 3;

export type CrashOutcome = "redispatched" | "failed" | "unchanged";

/**
 * Back to `queued` for a new execution, only while the turn is unclaimed: the claim
 * (`turn_started_at`) is taken in the same row before any model call, so a run this moves
 * has provably not reached the model, and a turn claimed meanwhile makes it change nothing.
 */
async function requeueUnclaimedRun(deps: RunServiceDeps, ref: RunRef, reason: string) {
  return transitionRun(deps.db, ref, {
    from: ["queued", "running"],
    set: { status: "queued", startedAt: null, inngestRunId: null },
    event: { type: "redispatched", payload: { reason } },
    where: and(
      isNull(skillRuns.turnStartedAt),
      sql`(select count(*) from ${runEvents} where ${runEvents.runId} = ${skillRuns.id} and ${runEvents.type} = 'redispatched') < ${MAX_REDISPATCHES}`,
    ),
  });
}

/**
 * run-skill's failure handler. A function that failed on an outage (the database or a
 * connection unavailable) before its run's turn was claimed never reached the model, so the
 * run is queued again and sent under a new event id (the failed engine run's, so a retry of
 * this handler sends the same event and the engine keeps one); every other crash fails the
 * run as `agent_crashed`, as does an outage once a turn may have started. A send that fails
 * throws, so the handler is retried (queueing the run again is a no-op but for its timeline
 * event, the send is deduplicated); a run left queued is the reconciler's.
 */
export async function settleCrashedRun(
  deps: RunServiceDeps,
  failure: { triggeringEventData: unknown; failedRunId: unknown; error: unknown },
): Promise<CrashOutcome> {
  const ref = runRefSchema.safeParse(failure.triggeringEventData);
  if (!ref.success) return "unchanged";
  const failedRunId = z.string().min(1).max(200).safeParse(failure.failedRunId);
  if (
    reportsDatabaseUnavailable(failure.error) &&
    failedRunId.success &&
    (await requeueUnclaimedRun(deps, ref.data, crashReason(failure.error)))
  ) {
    await deps.dispatcher.send({
      name: RUN_REQUESTED,
      id: `${ref.data.runId}:after:${failedRunId.data}`,
      data: ref.data,
    });
    return "redispatched";
  }
  return (await failCrashedRun(deps.db, ref.data, failure.error)) ? "failed" : "unchanged";
}
