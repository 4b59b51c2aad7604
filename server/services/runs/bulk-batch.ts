import "server-only";
import { and, asc, desc, lte, sql } from "drizzle-orm";
import { ACTIVE_BULK_OPERATION_STATUSES, type BulkOperationKind } from "@/server/db/schema/enums";
import type { Transaction } from "@/server/db/client";
import { bulkOperations, skillRuns } from "@/server/db/schema";
import { recordAudit } from "@/server/services/access/audit";
import type { BulkOperationRef } from "@/inngest/events";
import { filtersOfStored } from "./bulk-filters";
import { BULK_BATCH_SIZES, operationColumns, whereOperation } from "./bulk-operations";
import { afterRunCursor, runListConditions, type RunCursor } from "./run-queries";

/** Past the cursor in ascending (created_at, id) order: a row comparison, so ties stay exact. */
const beforeRunCursor = (cursor: RunCursor) =>
  sql`(${skillRuns.createdAt}, ${skillRuns.id}) > (${sql.param(cursor.createdAt, skillRuns.createdAt)}, ${sql.param(cursor.id, skillRuns.id)})`;
import {
  cancelRuns,
  createRuns,
  dispatchCreatedRuns,
  sendCancelRequests,
  type RunServiceDeps,
  type StartedRun,
  type StartRunInput,
} from "./runs";

type BatchOutcome = {
  done: number;
  skipped: number;
  failed: number;
  /** Re-runs refused, by the refusal's code, and the first refusal's message. */
  failures: { byCode: Record<string, number>; first: string | null };
};
type BatchResult = BatchOutcome & { cancelled: string[]; created: StartedRun["run"][] };

/** The operation under its row lock, if it is still queued or running. */
async function lockActiveOperation(tx: Transaction, ref: BulkOperationRef) {
  const [operation] = await tx
    .select({
      ...operationColumns,
      cursorCreatedAt: bulkOperations.cursorCreatedAt,
      cursorId: bulkOperations.cursorId,
    })
    .from(bulkOperations)
    .where(whereOperation(ref))
    .for("update");
  return operation && ACTIVE_BULK_OPERATION_STATUSES.includes(operation.status) ? operation : null;
}
type LockedOperation = NonNullable<Awaited<ReturnType<typeof lockActiveOperation>>>;

/**
 * A re-run's runs had ended at the click: a run still running then, or one that failed after,
 * was not in the match set the operator confirmed. Compared at `frozen_at`'s millisecond (both
 * rounded, as `created_at` is), so a run that ended before the click is never left out.
 */
const endedBy = (frozenAt: Date) =>
  sql`${skillRuns.finishedAt}::timestamptz(3) <= ${sql.param(frozenAt, skillRuns.createdAt)}`;

/**
 * The next matched runs after the operation's cursor, none created after `frozen_at`. A cancel
 * goes oldest first, as the engine starts them: the runs about to start are stopped first. A
 * re-run goes newest first.
 */
function nextBatch(
  tx: Transaction,
  ref: BulkOperationRef,
  operation: LockedOperation,
  size: number,
) {
  const cursor =
    operation.cursorCreatedAt && operation.cursorId
      ? { createdAt: operation.cursorCreatedAt, id: operation.cursorId }
      : null;
  return tx
    .select({
      id: skillRuns.id,
      createdAt: skillRuns.createdAt,
      skillId: skillRuns.skillId,
      agentId: skillRuns.agentId,
      inputs: skillRuns.inputs,
      tags: skillRuns.tags,
    })
    .from(skillRuns)
    .where(
      and(
        runListConditions(ref.tenantId, filtersOfStored(operation.filters)),
        lte(skillRuns.createdAt, operation.frozenAt),
        operation.kind === "rerun" ? endedBy(operation.frozenAt) : undefined,
        cursor
          ? operation.kind === "cancel"
            ? beforeRunCursor(cursor)
            : afterRunCursor(cursor)
          : undefined,
      ),
    )
    .orderBy(
      ...(operation.kind === "cancel"
        ? [asc(skillRuns.createdAt), asc(skillRuns.id)]
        : [desc(skillRuns.createdAt), desc(skillRuns.id)]),
    )
    .limit(size);
}
type Batch = Awaited<ReturnType<typeof nextBatch>>;

async function cancelBatch(
  tx: Transaction,
  ref: BulkOperationRef,
  operation: LockedOperation,
  batch: Batch,
): Promise<BatchResult> {
  const cancelled = await cancelRuns(tx, {
    tenantId: ref.tenantId,
    runIds: batch.map((run) => run.id),
    userId: operation.requestedByUserId,
    bulkOperationId: operation.id,
  });
  const skipped = batch.length - cancelled.length;
  return {
    done: cancelled.length,
    skipped,
    failed: 0,
    failures: { byCode: {}, first: null },
    cancelled,
    created: [],
  };
}

/** A refusal's message as kept on the operation: a service's own words, cut short. */
const MAX_FAILURE_MESSAGE = 300;

const addCounts = (into: Record<string, number>, more: Record<string, number>) => {
  const sum = { ...into };
  for (const [code, count] of Object.entries(more)) sum[code] = (sum[code] ?? 0) + count;
  return sum;
};

/** Each run's re-run, keyed by the operation and the run: a second try finds the first one's. */
async function rerunBatch(
  tx: Transaction,
  ref: BulkOperationRef,
  operation: LockedOperation,
  batch: Batch,
): Promise<BatchResult> {
  const outcomes = await createRuns(
    tx,
    batch.map((run): StartRunInput => ({
      tenantId: ref.tenantId,
      skill: { id: run.skillId },
      agentId: run.agentId,
      inputs: { ...run.inputs, ...operation.inputOverrides },
      tags: run.tags,
      source: "rerun",
      invoker: { userId: operation.requestedByUserId },
      parentRunId: run.id,
      idempotencyKey: `bulk:${operation.id}:${run.id}`,
    })),
  );
  const created = outcomes.flatMap((result) =>
    "error" in result || !result.created ? [] : [result.run],
  );
  const refusals = outcomes.flatMap((result) => ("error" in result ? [result.error] : []));
  const byCode: Record<string, number> = {};
  for (const refusal of refusals) byCode[refusal.code] = (byCode[refusal.code] ?? 0) + 1;
  const failed = refusals.length;
  const skipped = batch.length - created.length - failed;
  const first = refusals[0] ? refusals[0].message.slice(0, MAX_FAILURE_MESSAGE) : null;
  return {
    done: created.length,
    skipped,
    failed,
    failures: { byCode, first },
    cancelled: [],
    created,
  };
}

/**
 * One batch of an operation, the bulk-operation function's step: under the operation's row
 * lock, the next `batchSize` matched runs after the saved cursor (created no later than
 * `frozen_at`) are cancelled or re-run, and the cursor and counts move in the same
 * transaction. A retried or doubled step therefore finds the cursor past its batch: no run is
 * handled twice. An operation that is no longer queued or running (cancelled meanwhile) is left
 * as it is; one whose match set is used up is completed, with its audit entry.
 */
export async function processBulkBatch(
  deps: RunServiceDeps,
  ref: BulkOperationRef,
  sizeOverride?: number,
): Promise<{ finished: boolean }> {
  const result = await deps.db.transaction(async (tx) => {
    const operation = await lockActiveOperation(tx, ref);
    if (!operation) return null;
    const batchSize = sizeOverride ?? BULK_BATCH_SIZES[operation.kind];
    const batch = await nextBatch(tx, ref, operation, batchSize);
    const last = batch.at(-1);
    const handled = !last
      ? null
      : operation.kind === "cancel"
        ? await cancelBatch(tx, ref, operation, batch)
        : await rerunBatch(tx, ref, operation, batch);
    if (last && handled)
      await tx
        .update(bulkOperations)
        .set({
          status: "running",
          startedAt: operation.startedAt ?? sql`now()`,
          cursorCreatedAt: last.createdAt,
          cursorId: last.id,
          done: sql`${bulkOperations.done} + ${handled.done}`,
          skipped: sql`${bulkOperations.skipped} + ${handled.skipped}`,
          failed: sql`${bulkOperations.failed} + ${handled.failed}`,
          // Under the row lock: the operation's counts as read are the current ones.
          failureCounts: addCounts(operation.failureCounts, handled.failures.byCode),
          firstFailure: operation.firstFailure ?? handled.failures.first,
        })
        .where(whereOperation(ref));
    // A short batch was the last: no step is spent finding nothing after it.
    const finished = batch.length < batchSize;
    if (finished) await finishOperation(tx, ref, sumOf(operation, handled));
    return { finished, cancelled: handled?.cancelled ?? [], created: handled?.created ?? [] };
  });
  if (!result) return { finished: true };
  // After committing, as with every start and cancel: the engine never sees an uncommitted run.
  await sendCancelRequests(deps.dispatcher, ref.tenantId, result.cancelled);
  await dispatchCreatedRuns(
    deps,
    result.created.map((run) => ({ run, tenantId: ref.tenantId })),
  );
  return { finished: result.finished };
}

const sumOf = (operation: LockedOperation, handled: BatchOutcome | null) => ({
  kind: operation.kind,
  total: operation.total,
  done: operation.done + (handled?.done ?? 0),
  skipped: operation.skipped + (handled?.skipped ?? 0),
  failed: operation.failed + (handled?.failed ?? 0),
  failureCounts: addCounts(operation.failureCounts, handled?.failures.byCode ?? {}),
  firstFailure: operation.firstFailure ?? handled?.failures.first ?? null,
});

/**
 * The match set is used up: completed. A run matched at the click but gone from the filter by
 * its batch (a cancel's run that ended meanwhile, a deleted run) was left alone: skipped. The
 * counts add up to the total: skipped is what the handled runs leave of it, and should more runs
 * have been handled than were counted at the click, the total says how many were.
 */
async function finishOperation(
  tx: Transaction,
  ref: BulkOperationRef,
  operation: {
    kind: BulkOperationKind;
    total: number;
    done: number;
    skipped: number;
    failed: number;
    failureCounts: Record<string, number>;
    firstFailure: string | null;
  },
) {
  const handled = operation.done + operation.failed;
  const total = Math.max(operation.total, handled);
  const skipped = total - handled;
  await tx
    .update(bulkOperations)
    .set({
      status: "completed",
      total,
      skipped,
      startedAt: sql`coalesce(${bulkOperations.startedAt}, now())`,
      finishedAt: sql`now()`,
    })
    .where(whereOperation(ref));
  await recordAudit(tx, {
    tenantId: ref.tenantId,
    actor: { type: "system", id: null },
    origin: "bulk-operation",
    action: "bulk_operation.finish",
    target: { type: "bulk_operation", id: ref.operationId },
    metadata: {
      kind: operation.kind,
      status: "completed",
      total,
      done: operation.done,
      skipped,
      failed: operation.failed,
      ...(operation.failed
        ? { failureCounts: operation.failureCounts, firstFailure: operation.firstFailure }
        : {}),
    },
  });
}
