import "server-only";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { reportsDatabaseUnavailable } from "@/server/db/errors";
import { runEvents, skillRuns } from "@/server/db/schema";
import { RUN_REQUESTED, runRequestedSchema, type RunRef } from "@/inngest/events";
import { crashReason, failCrashedRun, startedByEngineRun } from "./run-lifecycle";
import { transitionRun } from "./run-timeline";
import type { RunServiceDeps } from "./runs";

/**
 * How often one run is dispatched again after an outage before a crash fails it: an outage
 * that outlasts this many executions is not a blip, and the run fails visibly as before.
 */
export const MAX_REDISPATCHES = 3;

export type CrashOutcome = "redispatched" | "failed" | "unchanged";

/**
 * The embedded engine's words for a step whose request it lost with no attempts left: it
 * stopped, or lost its leadership — as a PostgreSQL restart makes it do — while the step ran.
 * Like an outage, that says nothing of whether the turn began; the claim does.
 */
const ENGINE_LOST_STEP = /^The engine stopped while this step was running/;

function reportsLostStep(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && ENGINE_LOST_STEP.test(message);
}

/** The engine run a `redispatched` timeline event was written for. */
const failedRunIdOfEvent = sql`${runEvents.payload}->>'failedRunId'`;

/** The run's `redispatched` events (for one failed engine run if given), correlated to the row. */
const redispatchedEvents = (failedRunId?: string) =>
  sql`select 1 from ${runEvents} where ${runEvents.runId} = ${skillRuns.id} and ${runEvents.type} = 'redispatched'${
    failedRunId === undefined ? sql`` : sql` and ${failedRunIdOfEvent} = ${failedRunId}`
  }`;

/**
 * Back to `queued` for a new execution, only while the turn is unclaimed: the claim
 * (`turn_started_at`) is taken in the same row before any model call, so a run this moves
 * has provably not reached the model, and a turn claimed meanwhile makes it change nothing.
 * Only a run the failed engine run started (or none did) moves, and once per failed engine
 * run: its `redispatched` event names it, so a retried handler neither counts nor writes again.
 */
async function requeueUnclaimedRun(
  deps: RunServiceDeps,
  ref: RunRef,
  failedRunId: string,
  reason: string,
) {
  const notYetForThisEngineRun: SQL = sql`not exists (${redispatchedEvents(failedRunId)})`;
  return deps.db.transaction(async (tx) => {
    // Two attempts of one handler at once take turns on the row, so the second sees the first's event.
    await tx
      .select({ id: skillRuns.id })
      .from(skillRuns)
      .where(and(eq(skillRuns.id, ref.runId), eq(skillRuns.tenantId, ref.tenantId)))
      .for("update");
    return transitionRun(tx, ref, {
      from: ["queued", "running"],
      set: { status: "queued", startedAt: null, inngestRunId: null },
      event: { type: "redispatched", payload: { reason, failedRunId } },
      where: and(
        isNull(skillRuns.turnStartedAt),
        startedByEngineRun(failedRunId),
        notYetForThisEngineRun,
        // One count per failed engine run; an event that names none (written before they did) counts alone.
        sql`(select count(distinct coalesce(${failedRunIdOfEvent}, ${runEvents.id}::text)) from ${runEvents} where ${runEvents.runId} = ${skillRuns.id} and ${runEvents.type} = 'redispatched') < ${MAX_REDISPATCHES}`,
      ),
    });
  });
}

/** The run's status when this failed engine run already put it back in the queue, else null. */
async function statusIfRequeuedBy(deps: RunServiceDeps, ref: RunRef, failedRunId: string) {
  const [run] = await deps.db
    .select({ status: skillRuns.status })
    .from(skillRuns)
    .where(
      and(
        eq(skillRuns.id, ref.runId),
        eq(skillRuns.tenantId, ref.tenantId),
        sql`exists (${redispatchedEvents(failedRunId)})`,
      ),
    );
  return run?.status ?? null;
}

/**
 * run-skill's failure handler. A function that failed on an outage (the database or a
 * connection unavailable, or the engine losing the step's request) before its run's turn was
 * claimed never reached the model, so the
 * run is queued again and sent under a new event id (the failed engine run's, so a retry of
 * this handler sends the same event and the engine keeps one); every other crash fails the
 * run as `agent_crashed`, as does an outage once a turn may have started. Both touch only a
 * run the failed engine run started (or none did): a handler that comes late, or is retried,
 * after another engine run took the run over leaves the run to that one. A send that fails
 * throws, so the handler is retried: the retry finds the run already queued by this engine
 * run and only sends again; a run left queued is the reconciler's.
 */
export async function settleCrashedRun(
  deps: RunServiceDeps,
  failure: { triggeringEventData: unknown; failedRunId: unknown; error: unknown },
): Promise<CrashOutcome> {
  // With the run's source, if the event had one: sent again, the run keeps its priority.
  const ref = runRequestedSchema.safeParse(failure.triggeringEventData);
  if (!ref.success) return "unchanged";
  const failedRunId = z.string().min(1).max(200).safeParse(failure.failedRunId);
  // Without the engine run's id there is nothing to scope to: the crash fails the run, as it always did.
  if (!failedRunId.success)
    return (await failCrashedRun(deps.db, ref.data, failure.error)) ? "failed" : "unchanged";
  const sendAgain = async (): Promise<CrashOutcome> => {
    await deps.dispatcher.send({
      name: RUN_REQUESTED,
      id: `${ref.data.runId}:after:${failedRunId.data}`,
      data: ref.data,
    });
    return "redispatched";
  };
  if (reportsDatabaseUnavailable(failure.error) || reportsLostStep(failure.error)) {
    const reason = crashReason(failure.error);
    if (await requeueUnclaimedRun(deps, ref.data, failedRunId.data, reason)) return sendAgain();
    const status = await statusIfRequeuedBy(deps, ref.data, failedRunId.data);
    if (status === "queued") return sendAgain();
    // Settled by an earlier attempt of this handler; whatever runs it now is another engine run's.
    if (status !== null) return "unchanged";
  }
  return (await failCrashedRun(deps.db, ref.data, failure.error, failedRunId.data))
    ? "failed"
    : "unchanged";
}
