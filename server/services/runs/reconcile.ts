import "server-only";
import { and, eq, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { runApprovals, runEvents, skillRuns } from "@/server/db/schema";
import type { FailureCode, InvocationSource } from "@/server/db/schema/enums";
import { RUN_APPROVAL_DECIDED, RUN_REQUESTED } from "@/inngest/events";
import { decisionEventId, markDecisionsSent } from "./approvals";
import { endPendingApprovals, recordUsageBeforeResumption } from "./run-lifecycle";
import { requestedSource, type RunServiceDeps } from "./runs";

export type ReconcileOptions = {
  /** A run `running` longer than this failed somewhere unseen (always longer than any turn timeout). */
  staleRunningMs: number;
  /** A run still `queued` after this gets its event sent once more. */
  dispatchRetryMs: number;
  /** A run still `queued` after this is given up as lost. */
  dispatchLostMs: number;
  batchSize: number;
};

export type ReconcileResult = {
  staleRunning: string[];
  dispatchLost: string[];
  resent: string[];
  approvalLost: string[];
  /** Runs whose decision's event was sent again. */
  decisionsResent: string[];
};

/**
 * Fails, in one bounded batch, the runs matching `condition` with a reason. FOR UPDATE SKIP
 * LOCKED plus the status re-check make two overlapping ticks safe: each run fails once.
 */
async function failMatching(
  deps: RunServiceDeps,
  status: "running" | "queued" | "awaiting_approval",
  olderThan: Date,
  column: "startedAt" | "createdAt",
  failure: { code: FailureCode; reason: string },
  batchSize: number,
  extraCondition: SQL = sql`true`,
): Promise<string[]> {
  const timestamp = column === "startedAt" ? skillRuns.startedAt : skillRuns.createdAt;
  return deps.db.transaction(async (tx) => {
    const failed = await tx
      .update(skillRuns)
      .set({
        status: "failed",
        failureCode: failure.code,
        failureReason: failure.reason,
        finishedAt: new Date(),
        // A turn that died mid-stream leaves no partial text behind, as failRun does.
        liveOutput: null,
      })
      .where(
        sql`${skillRuns.id} in (
          select ${skillRuns.id} from ${skillRuns}
          where ${skillRuns.status} = ${status} and ${timestamp} < ${olderThan.toISOString()} and ${extraCondition}
          order by ${timestamp} limit ${batchSize} for update skip locked
        ) and ${skillRuns.status} = ${status}`,
      )
      .returning({ id: skillRuns.id, tenantId: skillRuns.tenantId });
    // A run failed while it waited for approval: its request expires, its usage so far counts.
    if (status === "awaiting_approval")
      await endPendingApprovals(
        tx,
        failed.map((run) => ({ runId: run.id, tenantId: run.tenantId })),
        "expired",
      );
    // A stale run's worker is gone: a continued turn's usage up to its pause still counts.
    if (status === "running")
      await recordUsageBeforeResumption(
        tx,
        failed.map((run) => ({ runId: run.id, tenantId: run.tenantId })),
      );
    if (failed.length) {
      await tx.insert(runEvents).values(
        failed.map((run) => ({
          runId: run.id,
          tenantId: run.tenantId,
          type: "failed",
          payload: { failureCode: failure.code, reason: failure.reason, by: "reconciler" },
        })),
      );
    }
    return failed.map((run) => run.id);
  });
}

/**
 * A queued run is only suspect when its tenant's queue is not moving: runs legitimately wait
 * for a per-tenant concurrency slot, and while other runs of the tenant keep starting, this
 * one is in line, not lost.
 */
function tenantQueueStalled(now: Date, options: ReconcileOptions): SQL {
  return sql`not exists (
    select 1 from ${skillRuns} as progressed
    where progressed.tenant_id = ${skillRuns.tenantId} and progressed.started_at > ${new Date(now.getTime() - options.dispatchRetryMs).toISOString()}
  )`;
}

/**
 * The run's event was sent again (its timeline records it), before `cutoff` if given. Lost means
 * lost even after the resend, which had the retry cutoff's time to be picked up: a run old
 * enough when its queue first stalls is resent, not failed.
 */
function resendRecorded(cutoff?: Date): SQL {
  return sql`exists (
    select 1 from ${runEvents} resend
    where resend.run_id = ${skillRuns.id} and resend.type = 'dispatch_resent'${cutoff ? sql` and resend.at < ${cutoff.toISOString()}` : sql``}
  )`;
}

/**
 * Waiting within its timeout is not stale; a run still awaiting approval long past its timeout
 * (by the stale cutoff) has nothing left to continue it: its function was lost.
 */
function failLostApprovals(deps: RunServiceDeps, options: ReconcileOptions, now: Date) {
  const staleMinutes = Math.round(options.staleRunningMs / 60_000);
  const staleCutoff = new Date(now.getTime() - options.staleRunningMs).toISOString();
  return failMatching(
    deps,
    "awaiting_approval",
    new Date(now.getTime() - options.staleRunningMs),
    "startedAt",
    {
      code: "approval_timeout",
      reason: `The run's approval wait ended more than ${staleMinutes} min ago (timed out, or decided) and nothing continued it; its worker was probably lost.`,
    },
    options.batchSize,
    sql`not exists (select 1 from ${runApprovals} where ${runApprovals.runId} = ${skillRuns.id} and ${runApprovals.expiresAt} > ${staleCutoff})`,
  );
}

/**
 * Decisions whose event seems lost (the send failed after the decision committed): never
 * marked sent, decided longer ago than the dispatch retry cutoff, the run still awaiting
 * approval, nothing claimed the decision. Sent again with the decision's own event id (the
 * engine deduplicates a send that had arrived after all), then marked sent, so a decision
 * legitimately waiting for a concurrency slot is never sent again; the claim makes the run
 * continue once whatever arrives. The
 * approval's timeout would honour the decision too, but only hours later.
 */
async function resendLostDecisions(
  deps: RunServiceDeps,
  options: ReconcileOptions,
  now: Date,
): Promise<string[]> {
  const lost = await deps.db
    .select({
      approvalId: runApprovals.id,
      runId: runApprovals.runId,
      tenantId: runApprovals.tenantId,
    })
    .from(runApprovals)
    .innerJoin(
      skillRuns,
      and(eq(skillRuns.id, runApprovals.runId), eq(skillRuns.tenantId, runApprovals.tenantId)),
    )
    .where(
      and(
        eq(skillRuns.status, "awaiting_approval"),
        inArray(runApprovals.state, ["approved", "rejected"]),
        isNull(runApprovals.resumedAt),
        isNull(runApprovals.decisionSentAt),
        lt(runApprovals.decidedAt, new Date(now.getTime() - options.dispatchRetryMs)),
      ),
    )
    .orderBy(runApprovals.decidedAt)
    .limit(options.batchSize);
  if (lost.length === 0) return [];
  return deps.dispatcher
    .send(
      lost.map((decision) => ({
        name: RUN_APPROVAL_DECIDED,
        id: decisionEventId(decision.approvalId),
        data: {
          runId: decision.runId,
          tenantId: decision.tenantId,
          approvalId: decision.approvalId,
        },
      })),
    )
    .then(async () => {
      for (const tenantId of new Set(lost.map((decision) => decision.tenantId)))
        await markDecisionsSent(
          deps.db,
          tenantId,
          lost.filter((decision) => decision.tenantId === tenantId).map((d) => d.approvalId),
        );
      return lost.map((decision) => decision.runId);
    })
    .catch((error: unknown) => {
      console.error(`reconciler: ${lost.length} decisions not sent again: ${String(error)}`);
      return [];
    });
}

/**
 * The safety net behind one-shot dispatch: stale `running` runs fail as stale_running;
 * `queued` runs past the retry cutoff get their event sent once more (recorded on the
 * timeline; a duplicate delivery is harmless because mark-running is a compare-and-set), and
 * those still queued past the lost cutoff, resent at least the retry cutoff ago, fail as
 * dispatch_lost.
 */
export async function reconcileRuns(
  deps: RunServiceDeps,
  options: ReconcileOptions,
  now = new Date(),
): Promise<ReconcileResult> {
  const staleMinutes = Math.round(options.staleRunningMs / 60_000);
  const staleCutoff = new Date(now.getTime() - options.staleRunningMs).toISOString();
  const staleRunning = await failMatching(
    deps,
    "running",
    new Date(now.getTime() - options.staleRunningMs),
    "startedAt",
    {
      code: "stale_running",
      reason: `The run was still running after ${staleMinutes} min with no sign of life; its worker was probably lost.`,
    },
    options.batchSize,
    // A run that resumed after an approval runs again from then, not from its start.
    sql`not exists (select 1 from ${runApprovals} where ${runApprovals.runId} = ${skillRuns.id} and ${runApprovals.resumedAt} > ${staleCutoff})`,
  );
  const approvalLost = await failLostApprovals(deps, options, now);
  const lostMinutes = Math.round(options.dispatchLostMs / 60_000);
  const dispatchLost = await failMatching(
    deps,
    "queued",
    new Date(now.getTime() - options.dispatchLostMs),
    "createdAt",
    {
      code: "dispatch_lost",
      reason: `The run was never picked up within ${lostMinutes} min, even after its event was sent again.`,
    },
    options.batchSize,
    sql`${tenantQueueStalled(now, options)} and ${resendRecorded(new Date(now.getTime() - options.dispatchRetryMs))}`,
  );

  // Claim resends by writing their timeline events first, under a lock only one tick holds.
  // A run another transaction is moving (a cancel not yet committed) is skipped, as the lost
  // step skipped it: its snapshot still says queued, but it will not be once that commits.
  const claimed = await deps.db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ acquired: boolean }>(
      sql`select pg_try_advisory_xact_lock(hashtext('skillrun:reconcile-resend')) as acquired`,
    );
    if (!lock?.acquired) return [];
    return tx.execute<{
      run_id: string;
      tenant_id: string;
      source: InvocationSource;
      invoker_user_id: string | null;
    }>(sql`
      with resent as (
        insert into ${runEvents} (run_id, tenant_id, type, payload)
        select ${skillRuns.id}, ${skillRuns.tenantId}, 'dispatch_resent', '{}'::jsonb from ${skillRuns}
        where ${skillRuns.status} = 'queued'
          and ${skillRuns.createdAt} < ${new Date(now.getTime() - options.dispatchRetryMs).toISOString()}
          and not ${resendRecorded()}
          and ${tenantQueueStalled(now, options)}
        order by ${skillRuns.createdAt} limit ${options.batchSize}
        for update skip locked
        returning run_id, tenant_id
      )
      select resent.run_id, resent.tenant_id, r.source, r.invoker_user_id
      from resent join ${skillRuns} r on r.id = resent.run_id
      order by r.created_at`);
  });

  const resent: string[] = [];
  for (const run of claimed) {
    await deps.dispatcher
      // A new event id: the engine would deduplicate a second event carrying the run id.
      .send({
        name: RUN_REQUESTED,
        id: `${run.run_id}:resend`,
        // With its source, so a resent interactive run keeps its priority.
        data: {
          runId: run.run_id,
          tenantId: run.tenant_id,
          source: requestedSource({ source: run.source, invokerUserId: run.invoker_user_id }),
        },
      })
      .then(() => resent.push(run.run_id))
      .catch((error: unknown) =>
        console.error(`reconciler: resend of run ${run.run_id} failed: ${String(error)}`),
      );
  }
  const decisionsResent = await resendLostDecisions(deps, options, now);
  return { staleRunning, dispatchLost, resent, approvalLost, decisionsResent };
}
