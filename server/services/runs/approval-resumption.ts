import "server-only";
import { and, desc, eq, gte, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { runApprovals, skillRuns } from "@/server/db/schema";
import { approvalDecidedSchema, type RunRef } from "@/inngest/events";
import { crashReason, failRun, recordUsageBeforeResumption } from "./run-lifecycle";
import { transitionRun } from "./run-timeline";

/**
 * The continuing side of the review gate (approvals.ts has the pause and the decision): what
 * the step after the wait reads, expires and claims.
 */

/** The request as the continuing step reads it (tenant- and run-scoped). */
export async function loadApproval(db: Database, ref: RunRef, approvalId: string) {
  const [row] = await db
    .select()
    .from(runApprovals)
    .where(
      and(
        eq(runApprovals.id, approvalId),
        eq(runApprovals.runId, ref.runId),
        eq(runApprovals.tenantId, ref.tenantId),
      ),
    );
  return row ?? null;
}
export type ApprovalRow = NonNullable<Awaited<ReturnType<typeof loadApproval>>>;

/**
 * The run's pending request as its pause reported it (the policy's timeout is the span from
 * request to expiry, both written by one transaction's clock): what a re-executed step whose
 * pause had committed hands on again, so the same request event is sent (and deduplicated).
 */
export async function pausedRequestOf(
  db: Database,
  ref: RunRef,
): Promise<{ approvalId: string; timeoutSeconds: number } | null> {
  const [row] = await db
    .select({
      approvalId: runApprovals.id,
      timeoutSeconds: sql<number>`round(extract(epoch from ${runApprovals.expiresAt} - ${runApprovals.requestedAt}))::int`,
    })
    .from(runApprovals)
    .where(
      and(
        eq(runApprovals.runId, ref.runId),
        eq(runApprovals.tenantId, ref.tenantId),
        eq(runApprovals.state, "pending"),
      ),
    );
  return row ?? null;
}

/**
 * The run's latest request other than `since` and made no earlier (any request when
 * undefined), in any state: a pause of the turn that committed, whatever has become of it
 * since. (`since` is compared by id too: its time read back lost PostgreSQL's microseconds.)
 */
export async function latestRequestOf(
  db: Database,
  ref: RunRef,
  since?: { id: string; requestedAt: Date },
): Promise<string | null> {
  const [row] = await db
    .select({ id: runApprovals.id })
    .from(runApprovals)
    .where(
      and(
        eq(runApprovals.runId, ref.runId),
        eq(runApprovals.tenantId, ref.tenantId),
        since ? gte(runApprovals.requestedAt, since.requestedAt) : undefined,
        since ? ne(runApprovals.id, since.id) : undefined,
      ),
    )
    .orderBy(desc(runApprovals.requestedAt))
    .limit(1);
  return row?.id ?? null;
}

/** pending → expired, once: the wait ended without a decision. False when it was decided first. */
export async function expireApproval(
  db: Database,
  ref: RunRef,
  approvalId: string,
): Promise<boolean> {
  const rows = await db
    .update(runApprovals)
    .set({ state: "expired" })
    .where(
      and(
        eq(runApprovals.id, approvalId),
        eq(runApprovals.runId, ref.runId),
        eq(runApprovals.tenantId, ref.tenantId),
        eq(runApprovals.state, "pending"),
      ),
    )
    .returning({ id: runApprovals.id });
  return rows.length > 0;
}

/** Rolls the claim back when the run is no longer awaiting approval. */
class RunNotWaiting extends Error {}

/**
 * The re-execution guard of the continuing step: claims the decided request once and moves the
 * run awaiting_approval → running, in one transaction, naming the engine run that claimed it
 * (`invocation`). False for a second execution, or a run that ended meanwhile (cancelled).
 */
export async function claimResumption(
  db: Database,
  ref: RunRef,
  approvalId: string,
  invocation: string,
): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(runApprovals)
        .set({ resumedAt: sql`now()`, resumedBy: invocation })
        .where(
          and(
            eq(runApprovals.id, approvalId),
            eq(runApprovals.runId, ref.runId),
            eq(runApprovals.tenantId, ref.tenantId),
            inArray(runApprovals.state, ["approved", "rejected"]),
            isNull(runApprovals.resumedAt),
          ),
        )
        .returning({ state: runApprovals.state });
      if (!claimed) return false;
      const resumed = await transitionRun(tx, ref, {
        from: ["awaiting_approval"],
        set: { status: "running" },
        event: { type: "resumed", payload: { approvalId, decision: claimed.state } },
      });
      if (!resumed) throw new RunNotWaiting();
      return true;
    });
  } catch (error) {
    if (error instanceof RunNotWaiting) return false;
    throw error;
  }
}

/**
 * run-skill-approval's failure handler: the run fails as crashed only while the continuation
 * that failed is the run's, i.e. the request it continues is unclaimed or claimed by this
 * engine run (`failedRunId`). A run another invocation has continued since is left to it. The
 * event data comes back from the engine and is read as untrusted: one that names no request
 * changes nothing.
 */
export async function failCrashedContinuation(
  db: Database,
  triggeringEventData: unknown,
  error: unknown,
  failedRunId: string,
): Promise<boolean> {
  const request = approvalDecidedSchema.safeParse(triggeringEventData);
  if (!request.success) return false;
  const { approvalId, ...ref } = request.data;
  const failed = await failRun(
    db,
    ref,
    { code: "agent_crashed", reason: crashReason(error) },
    sql`exists (select 1 from ${runApprovals} where ${and(
      eq(runApprovals.id, approvalId),
      eq(runApprovals.runId, skillRuns.id),
      eq(runApprovals.tenantId, skillRuns.tenantId),
      or(isNull(runApprovals.resumedAt), eq(runApprovals.resumedBy, failedRunId)),
    )})`,
  );
  if (failed) await recordUsageBeforeResumption(db, [ref]);
  return failed;
}
