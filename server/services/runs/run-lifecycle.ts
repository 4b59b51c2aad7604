import "server-only";
import { and, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import { runApprovals, skillRuns, skills, skillVersions } from "@/server/db/schema";
import { storableText } from "@/server/db/storable";
import type { FailureCode, RunStatus } from "@/server/db/schema/enums";
import type { Deliverable } from "@/server/db/schema/runs";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import type { PiiMaskCounts } from "@/server/agent/guardrail";
import type { TokenUsage } from "@/server/agent/usage";
import type { ModelFailureDetail } from "@/lib/model-failure";
import { runRefSchema, type RunRef } from "@/inngest/events";
import { withLateUsageCounted } from "./run-rollup";
import { transitionRun } from "./run-timeline";

/**
 * The transitions the run-skill function makes, each a compare-and-set on the current status
 * with its timeline event in the same statement. Terminal states never change again.
 */

/** Failure reasons are one readable paragraph; longer texts (an error that echoes a body) are cut. */
export const MAX_FAILURE_REASON_CHARS = 2_000;

/** The usage columns, named one by one: nothing else a usage object carries reaches the row. */
export function usageColumns(usage: TokenUsage) {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    reasoningTokens: usage.reasoningTokens,
    costUsd: usage.costUsd ?? null,
  };
}

function detailColumn(detail: ModelFailureDetail | undefined): ModelFailureDetail | null {
  if (!detail) return null;
  const { model, httpStatus, attempts, retryAfterSeconds, credentialSettings } = detail;
  return { model, httpStatus, attempts, retryAfterSeconds, credentialSettings };
}

const whereRun = (ref: RunRef, status?: RunStatus) =>
  and(
    eq(skillRuns.id, ref.runId),
    eq(skillRuns.tenantId, ref.tenantId),
    status ? eq(skillRuns.status, status) : undefined,
  );

/** queued → running. False when the run is anything but queued (e.g. cancelled before start). */
export async function markRunning(
  db: Database,
  ref: RunRef,
  inngestRunId?: string,
): Promise<boolean> {
  return transitionRun(db, ref, {
    from: ["queued"],
    set: { status: "running", startedAt: new Date(), inngestRunId: inngestRunId ?? null },
    event: { type: "running" },
  });
}

/**
 * What the agent turn needs of the run: its agent, inputs, invoker and the skill it runs — the
 * version the run pinned when it was created, not whatever the skill says now. A skill row
 * without recorded history (written before versions were kept) serves the version it still
 * holds. `skill` is null when the pinned version is nowhere to be found.
 */
export async function loadRunForTurn(db: Database, ref: RunRef) {
  const pinned = db
    .select({
      name: skillVersions.name,
      instructions: skillVersions.instructions,
      referenceFiles: skillVersions.referenceFiles,
    })
    .from(skillVersions)
    .where(
      and(
        eq(skillVersions.skillId, skillRuns.skillId),
        eq(skillVersions.versionHash, skillRuns.skillVersion),
      ),
    )
    .orderBy(desc(skillVersions.createdAt))
    .limit(1)
    .as("pinned");
  const [run] = await db
    .select({
      status: skillRuns.status,
      agentId: skillRuns.agentId,
      inputs: skillRuns.inputs,
      invokerUserId: skillRuns.invokerUserId,
      configSnapshot: skillRuns.configSnapshot,
      skillVersion: skillRuns.skillVersion,
      current: {
        id: skills.id,
        name: skills.name,
        instructions: skills.instructions,
        referenceFiles: skills.referenceFiles,
        versionHash: skills.versionHash,
        enabled: skills.enabled,
      },
      pinned: {
        name: pinned.name,
        instructions: pinned.instructions,
        referenceFiles: pinned.referenceFiles,
      },
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoinLateral(pinned, sql`true`)
    .where(whereRun(ref));
  if (!run) return null;
  const { current, pinned: version, ...rest } = run;
  const content = version ?? (current.versionHash === run.skillVersion ? current : null);
  return {
    ...rest,
    skillId: current.id,
    skillEnabled: current.enabled,
    skill: content
      ? {
          id: current.id,
          name: content.name,
          instructions: content.instructions,
          referenceFiles: content.referenceFiles,
        }
      : null,
  };
}

export async function getRunStatus(db: Database, ref: RunRef): Promise<RunStatus | null> {
  const [run] = await db.select({ status: skillRuns.status }).from(skillRuns).where(whereRun(ref));
  return run?.status ?? null;
}

export async function saveConfigSnapshot(db: Database, ref: RunRef, snapshot: AgentRuntimeConfig) {
  await transitionRun(db, ref, {
    from: ["running"],
    set: { configSnapshot: snapshot },
    event: { type: "config_resolved", payload: { model: snapshot.model, agent: snapshot.agent } },
  });
}

/**
 * The re-execution guard: the first execution of the agent-turn step claims the turn; any
 * later execution finds it claimed and must fail the run instead of running the turn twice.
 * With `inngestRunId`, only the engine run that marked the run running may claim it: a step
 * of an engine run given up on an outage (its run since dispatched again) never does.
 */
export async function claimTurn(
  db: Database,
  ref: RunRef,
  inngestRunId?: string,
): Promise<boolean> {
  const [run] = await db
    .update(skillRuns)
    .set({ turnStartedAt: new Date() })
    .where(
      and(
        whereRun(ref, "running"),
        isNull(skillRuns.turnStartedAt),
        inngestRunId === undefined ? undefined : eq(skillRuns.inngestRunId, inngestRunId),
      ),
    )
    .returning({ id: skillRuns.id });
  return Boolean(run);
}

/** running → complete; `masked` is what the guardrail replaced in the markdown, stored with it. */
export async function completeRun(
  db: Database,
  ref: RunRef,
  result: { markdown: string; masked?: PiiMaskCounts; usage: TokenUsage },
) {
  const deliverable: Deliverable = {
    type: "inline",
    format: "markdown",
    payload: result.markdown,
    ...(result.masked ? { masked: result.masked } : {}),
  };
  return transitionRun(db, ref, {
    from: ["running"],
    set: {
      status: "complete",
      deliverable,
      liveOutput: null,
      finishedAt: new Date(),
      ...usageColumns(result.usage),
    },
    event: { type: "complete", payload: { chars: result.markdown.length } },
  });
}

/**
 * running → failed (or queued → failed when it never started, or awaiting_approval → failed when
 * its approval timed out or its function crashed), always with a specific reason.
 */
export async function failRun(
  db: Database,
  ref: RunRef,
  failure: { code: FailureCode; reason: string; usage?: TokenUsage; detail?: ModelFailureDetail },
  where?: SQL,
) {
  const reason = storableText(failure.reason, MAX_FAILURE_REASON_CHARS);
  return db.transaction(async (tx) => {
    const failed = await transitionRun(tx, ref, {
      from: ["running", "queued", "awaiting_approval"],
      set: {
        status: "failed",
        failureCode: failure.code,
        failureReason: reason,
        failureDetail: detailColumn(failure.detail),
        liveOutput: null,
        finishedAt: new Date(),
        ...(failure.usage ? usageColumns(failure.usage) : {}),
      },
      event: { type: "failed", payload: { failureCode: failure.code, reason } },
      where,
    });
    // Nobody cancelled it: the wait ended with the run (a crash), as a timeout ends it.
    if (failed) await endPendingApprovals(tx, [ref], "expired");
    return failed;
  });
}

/**
 * Ends the open approval requests of runs that just left awaiting_approval for a terminal
 * state (cancelled, failed by a crash or by the reconciler), in the transaction of that
 * transition. An open request is one nothing has continued yet (unclaimed): a pending one gets
 * `state` (nothing can decide or resume it); a decided one keeps its decision, and its
 * continuation finds the run ended and stands aside. Either way the usage of the turn up to its
 * pause, stored only with the request, becomes the run's. An open request exists only while
 * its run awaits approval, so for any other run this changes nothing; call it with the runs
 * whose transition happened.
 */
export async function endPendingApprovals(
  tx: Database | Transaction,
  runs: readonly RunRef[],
  state: "cancelled" | "expired",
): Promise<void> {
  if (runs.length === 0) return;
  const ended = await tx
    .update(runApprovals)
    .set({
      state: sql`case when ${runApprovals.state} = 'pending' then ${state}::approval_state else ${runApprovals.state} end`,
    })
    .where(
      and(
        isNull(runApprovals.resumedAt),
        inArray(runApprovals.state, ["pending", "approved", "rejected"]),
        or(...runs.map(whereApprovalOf)),
      ),
    )
    .returning({
      runId: runApprovals.runId,
      tenantId: runApprovals.tenantId,
      usage: runApprovals.usage,
    });
  for (const request of ended)
    await recordUsage(tx, { runId: request.runId, tenantId: request.tenantId }, request.usage);
}

const whereApprovalOf = (ref: RunRef) =>
  and(eq(runApprovals.runId, ref.runId), eq(runApprovals.tenantId, ref.tenantId));

/**
 * For runs whose continued turn died with its worker (its function crashed, or the reconciler
 * failed it as stale) and so will never report its usage: the usage up to the last pause,
 * stored with the request the turn continued, becomes the run's. Written only while the run
 * has none (recordUsage), so a turn that did report keeps its own, larger, figure.
 */
export async function recordUsageBeforeResumption(
  tx: Database | Transaction,
  runs: readonly RunRef[],
): Promise<void> {
  if (runs.length === 0) return;
  const claimed = await tx
    .selectDistinctOn([runApprovals.runId], {
      runId: runApprovals.runId,
      tenantId: runApprovals.tenantId,
      usage: runApprovals.usage,
    })
    .from(runApprovals)
    .where(and(isNotNull(runApprovals.resumedAt), or(...runs.map(whereApprovalOf))))
    .orderBy(runApprovals.runId, desc(runApprovals.resumedAt));
  for (const request of claimed)
    await recordUsage(tx, { runId: request.runId, tenantId: request.tenantId }, request.usage);
}

/**
 * The operator-facing reason for a run whose function crashed. For a query that failed, the
 * driver's message ("write CONNECTION_CLOSED …" while PostgreSQL restarts), never drizzle's
 * "Failed query: <sql> params: <values>", whose values can be the run's inputs or deliverable.
 */
export function crashReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith("Failed query:"))
    return storableText(`The run crashed: ${message}`, MAX_FAILURE_REASON_CHARS);
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error
    ? storableText(
        `The run crashed on a database error: ${cause.message}`,
        MAX_FAILURE_REASON_CHARS,
      )
    : "The run crashed on a database error.";
}

/** The run is this engine run's: not started by any (still queued), or marked running by it. */
export const startedByEngineRun = (inngestRunId: string) =>
  or(isNull(skillRuns.inngestRunId), eq(skillRuns.inngestRunId, inngestRunId));

/**
 * run-skill's failure handler: the run named by the triggering event is failed as crashed.
 * Both arguments come back from the engine, so they are read as untrusted: an event that
 * names no run changes nothing. With `failedRunId`, only while the run is that engine run's:
 * one that another engine run has started since is left to it.
 */
export async function failCrashedRun(
  db: Database,
  triggeringEventData: unknown,
  error: unknown,
  failedRunId?: string,
): Promise<boolean> {
  const ref = runRefSchema.safeParse(triggeringEventData);
  if (!ref.success) return false;
  const failed = await failRun(
    db,
    ref.data,
    { code: "agent_crashed", reason: crashReason(error) },
    failedRunId === undefined ? undefined : startedByEngineRun(failedRunId),
  );
  // A crashed continued turn never reports its usage; what it continued from still counts.
  if (failed) await recordUsageBeforeResumption(db, [ref.data]);
  return failed;
}

/**
 * Usage of a turn that ended otherwise (e.g. cancelled), without changing the status: only
 * for a run of this tenant that is cancelled, failed or still running, and only once, so a late
 * or repeated write never resets what a turn recorded. Failed counts: a run failed under its
 * turn (run_timeout, stale_running) still spent the tokens the aborted turn reports.
 */
export async function recordUsage(
  db: Database | Transaction,
  ref: RunRef,
  usage: TokenUsage,
): Promise<boolean> {
  const update = db
    .update(skillRuns)
    .set(usageColumns(usage))
    .where(
      and(
        whereRun(ref),
        inArray(skillRuns.status, ["running", "cancelled", "failed"]),
        isNull(skillRuns.inputTokens),
      ),
    )
    .returning({
      id: skillRuns.id,
      tenantId: skillRuns.tenantId,
      createdAt: skillRuns.createdAt,
      skillId: skillRuns.skillId,
      agentId: skillRuns.agentId,
      model: skillRuns.model,
      status: skillRuns.status,
      failureCode: skillRuns.failureCode,
      inputTokens: skillRuns.inputTokens,
      outputTokens: skillRuns.outputTokens,
      costUsd: skillRuns.costUsd,
      rolledUp: skillRuns.rolledUp,
    });
  // The only write to a finished run's counted fields: a run already in the dashboard's rollup
  // has the usage added there in the same statement.
  const rows = await db.execute(withLateUsageCounted(update.getSQL()));
  return rows.length > 0;
}
