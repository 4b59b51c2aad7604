import "server-only";
import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { ACTIVE_BULK_OPERATION_STATUSES, type BulkOperationKind } from "@/server/db/schema/enums";
import type { BulkRunFilters } from "@/lib/schemas/bulk-operations";
import type { Database, Transaction } from "@/server/db/client";
import { bulkOperations, skillRuns } from "@/server/db/schema";
import { logUnexpectedError } from "@/server/error-log";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import type { BulkOperationRef } from "@/inngest/events";
import {
  BulkCountChangedError,
  BulkOperationEndedError,
  BulkOperationNotFoundError,
  BulkRequestInvalidError,
} from "./bulk-errors";
import {
  actedOnFilters,
  checkOverrides,
  countUpToCap,
  filtersOfStored,
  MAX_BULK_RUNS,
  storedFiltersOf,
} from "./bulk-filters";
import { runListConditions, type RunListFilters } from "./run-queries";
import { requestOperation } from "./bulk-resend";
import type { RunServiceDeps } from "./runs";

export { countMatchingRuns, MAX_BULK_RUNS } from "./bulk-filters";

/**
 * Runs one step of the bulk-operation function handles: one transaction, one keyset page. A
 * re-run batch is smaller: its transaction holds the tenant's budget lock (every budgeted start
 * of the tenant waits for it) while it inserts its runs.
 */
export const BULK_BATCH_SIZES: Record<BulkOperationKind, number> = { cancel: 500, rerun: 100 };

type Actor = { tenantId: string; userId: string };

export const operationColumns = {
  id: bulkOperations.id,
  kind: bulkOperations.kind,
  status: bulkOperations.status,
  filters: bulkOperations.filters,
  inputOverrides: bulkOperations.inputOverrides,
  total: bulkOperations.total,
  done: bulkOperations.done,
  skipped: bulkOperations.skipped,
  failed: bulkOperations.failed,
  error: bulkOperations.error,
  failureCounts: bulkOperations.failureCounts,
  firstFailure: bulkOperations.firstFailure,
  frozenAt: bulkOperations.frozenAt,
  createdAt: bulkOperations.createdAt,
  startedAt: bulkOperations.startedAt,
  finishedAt: bulkOperations.finishedAt,
  requestedByUserId: bulkOperations.requestedByUserId,
  cancelledByUserId: bulkOperations.cancelledByUserId,
};

export const whereOperation = (ref: BulkOperationRef) =>
  and(eq(bulkOperations.id, ref.operationId), eq(bulkOperations.tenantId, ref.tenantId));
type StartInput = {
  kind: BulkOperationKind;
  filters: BulkRunFilters;
  inputOverrides?: Record<string, unknown>;
  idempotencyKey: string;
  /** The count the operator confirmed: more matching runs now are refused, for a new look. */
  confirmedTotal: number;
};

/**
 * The match set at the database's now, rounded to the millisecond as skill_runs.created_at is
 * (PostgreSQL rounds a timestamptz(3)): rounding is monotonic, so every run created before the
 * click has created_at <= frozen_at, where truncating could leave out one created in the
 * click's last half millisecond. The batches compare with it: when, the filters as stored, and how many runs: when, the filters as stored, and how many runs. Refuses an empty or
 * oversized set.
 */
async function freezeMatchSet(
  tx: Transaction,
  tenantId: string,
  kind: BulkOperationKind,
  filters: RunListFilters,
  confirmedTotal: number,
) {
  const [clock] = await tx.execute<{ frozen_at: string | Date }>(
    sql`select now()::timestamptz(3) as frozen_at`,
  );
  if (!clock) throw new Error("the database did not tell its time");
  const frozenAt = new Date(clock.frozen_at);
  const stored = storedFiltersOf(filters, frozenAt);
  const total = await countUpToCap(
    tx,
    and(runListConditions(tenantId, filtersOfStored(stored)), lte(skillRuns.createdAt, frozenAt)),
  );
  if (total === 0) throw new BulkRequestInvalidError(NOTHING_MATCHES[kind]);
  if (total > MAX_BULK_RUNS)
    throw new BulkRequestInvalidError(
      `This filter matches more than ${MAX_BULK_RUNS} runs; one bulk operation takes at most ${MAX_BULK_RUNS}. Narrow the filter.`,
    );
  if (total > confirmedTotal) throw new BulkCountChangedError(total, confirmedTotal);
  return { frozenAt, stored, total };
}

const NOTHING_MATCHES: Record<BulkOperationKind, string> = {
  cancel: "No queued or running run matches this filter: there is nothing to cancel.",
  rerun: "No run matches this filter: there is nothing to re-run.",
};

/** The operation and its audit entry; null when a concurrent call with the key wrote first. */
async function insertOperation(
  db: Database,
  actor: Actor,
  input: StartInput,
  overrides: Record<string, unknown> | null,
  acted: RunListFilters,
  audit: AuditContext,
) {
  return db.transaction(async (tx) => {
    const { frozenAt, stored, total } = await freezeMatchSet(
      tx,
      actor.tenantId,
      input.kind,
      acted,
      input.confirmedTotal,
    );
    const [created] = await tx
      .insert(bulkOperations)
      .values({
        tenantId: actor.tenantId,
        kind: input.kind,
        filters: stored,
        inputOverrides: overrides,
        requestedByUserId: actor.userId,
        idempotencyKey: input.idempotencyKey,
        status: "queued",
        total,
        frozenAt,
      })
      .onConflictDoNothing()
      .returning(operationColumns);
    if (!created) return null;
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...audit,
      action: "bulk_operation.start",
      target: { type: "bulk_operation", id: created.id },
      metadata: {
        kind: input.kind,
        total,
        ...(overrides ? { overriddenInputs: Object.keys(overrides) } : {}),
      },
    });
    return created;
  });
}

/**
 * Starts "Cancel/Re-run all matching": freezes the match set at the database's now (runs
 * created later are not the operation's), counts it (refused when more runs match than the
 * operator confirmed), writes the operation and its audit entry
 * in one transaction, then sends the event the bulk-operation function runs on. The same
 * idempotency key gets the operation it started (a double click starts one). Bad overrides or
 * a filter matching nothing are refused and nothing is written.
 */
export async function startBulkOperation(
  deps: RunServiceDeps,
  actor: Actor,
  input: StartInput,
  audit: AuditContext,
) {
  const { db } = deps;
  const existing = await operationByKey(db, actor.tenantId, input.idempotencyKey);
  if (existing) {
    // Its event may have been lost (a crash or an outage after the commit): sent again.
    if (existing.status === "queued") await requestOperation(deps, existing.id, actor.tenantId);
    return { operation: existing, created: false };
  }
  const { tenantId } = actor;
  const overrides = await checkOverrides(
    db,
    tenantId,
    input.kind,
    input.filters,
    input.inputOverrides,
  );
  const acted = actedOnFilters(input.kind, input.filters);
  if (!acted) throw new BulkRequestInvalidError(NOTHING_MATCHES[input.kind]);
  const started = await insertOperation(db, actor, input, overrides, acted, audit);
  if (!started) {
    const winner = await operationByKey(db, tenantId, input.idempotencyKey);
    if (!winner) throw new Error("idempotency conflict without an existing bulk operation");
    return { operation: winner, created: false };
  }
  await requestOperation(deps, started.id, tenantId);
  return { operation: started, created: true };
}

async function operationByKey(db: Database, tenantId: string, idempotencyKey: string) {
  const [row] = await db
    .select(operationColumns)
    .from(bulkOperations)
    .where(
      and(eq(bulkOperations.tenantId, tenantId), eq(bulkOperations.idempotencyKey, idempotencyKey)),
    );
  return row ?? null;
}
/**
 * Stops an operation after its current batch: the batch holds the operation's row lock, so
 * this waits for it to commit, and the next batch finds the operation cancelled. Audit-logged
 * with the counts so far.
 */
export async function cancelBulkOperation(
  db: Database,
  actor: Actor,
  operationId: string,
  audit: AuditContext,
) {
  const ref = { operationId, tenantId: actor.tenantId };
  return db.transaction(async (tx) => {
    const [cancelled] = await tx
      .update(bulkOperations)
      .set({ status: "cancelled", finishedAt: sql`now()`, cancelledByUserId: actor.userId })
      .where(
        and(
          whereOperation(ref),
          inArray(bulkOperations.status, [...ACTIVE_BULK_OPERATION_STATUSES]),
        ),
      )
      .returning(operationColumns);
    if (!cancelled) {
      const [current] = await tx
        .select({ status: bulkOperations.status })
        .from(bulkOperations)
        .where(whereOperation(ref));
      if (!current) throw new BulkOperationNotFoundError(operationId);
      throw new BulkOperationEndedError(current.status);
    }
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...audit,
      action: "bulk_operation.cancel",
      target: { type: "bulk_operation", id: operationId },
      metadata: {
        kind: cancelled.kind,
        total: cancelled.total,
        done: cancelled.done,
        skipped: cancelled.skipped,
        failed: cancelled.failed,
      },
    });
    return cancelled;
  });
}

/**
 * The function gave up (its retries spent): the operation is failed, its counts as they are
 * (every committed batch stays done). The cause goes to the server log under an error id; the
 * row, which every member of the tenant sees, says only that and the id (an internal message
 * can name SQL, hosts or values). Audit-logged as its end.
 */
export async function failBulkOperation(db: Database, ref: BulkOperationRef, cause: unknown) {
  const errorId = logUnexpectedError(cause, `bulk operation ${ref.operationId}`);
  const reason = `Stopped by an internal error (error id ${errorId}); the runs handled before it stay done.`;
  await db.transaction(async (tx) => {
    const [failed] = await tx
      .update(bulkOperations)
      .set({ status: "failed", error: reason, finishedAt: sql`now()` })
      .where(
        and(
          whereOperation(ref),
          inArray(bulkOperations.status, [...ACTIVE_BULK_OPERATION_STATUSES]),
        ),
      )
      .returning(operationColumns);
    if (!failed) return;
    await recordAudit(tx, {
      tenantId: ref.tenantId,
      actor: { type: "system", id: null },
      origin: "bulk-operation",
      action: "bulk_operation.finish",
      target: { type: "bulk_operation", id: ref.operationId },
      metadata: {
        kind: failed.kind,
        status: "failed",
        total: failed.total,
        done: failed.done,
        skipped: failed.skipped,
        failed: failed.failed,
      },
    });
  });
}

/** One of the tenant's operations, for its progress display. */
export async function getBulkOperation(db: Database, tenantId: string, operationId: string) {
  const [operation] = await db
    .select(operationColumns)
    .from(bulkOperations)
    .where(whereOperation({ operationId, tenantId }));
  if (!operation) throw new BulkOperationNotFoundError(operationId);
  return operation;
}

/** How many recent operations the history shows. */
export const RECENT_BULK_OPERATIONS = 5;

/**
 * The tenant's most recent operations, newest first: what the history page's progress panel
 * shows, and no more (it polls every 2 s while one runs; filters and overrides stay out).
 */
export function listRecentBulkOperations(db: Database, tenantId: string) {
  return db
    .select({
      id: bulkOperations.id,
      kind: bulkOperations.kind,
      status: bulkOperations.status,
      total: bulkOperations.total,
      done: bulkOperations.done,
      skipped: bulkOperations.skipped,
      failed: bulkOperations.failed,
      error: bulkOperations.error,
      failureCounts: bulkOperations.failureCounts,
      firstFailure: bulkOperations.firstFailure,
      finishedAt: bulkOperations.finishedAt,
    })
    .from(bulkOperations)
    .where(eq(bulkOperations.tenantId, tenantId))
    .orderBy(desc(bulkOperations.createdAt), desc(bulkOperations.id))
    .limit(RECENT_BULK_OPERATIONS);
}
