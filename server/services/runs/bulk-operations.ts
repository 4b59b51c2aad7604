import "server-only";
import { and, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import {
  ACTIVE_BULK_OPERATION_STATUSES,
  CANCELLABLE_RUN_STATUSES,
  type BulkOperationKind,
  type RunStatus,
} from "@/server/db/schema/enums";
import { CREATED_WITHIN_SECONDS } from "@/lib/run-list";
import { compileSkillInputs, type InputsSchema } from "@/lib/skill-inputs";
import type { BulkRunFilters, StoredRunFilters } from "@/lib/schemas/bulk-operations";
import type { Database, Transaction } from "@/server/db/client";
import { bulkOperations, skillRuns, skills } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { BULK_OPERATION_REQUESTED, type BulkOperationRef } from "@/inngest/events";
import { InputsInvalidError } from "./run-errors";
import { afterRunCursor, runListConditions, type RunListFilters } from "./run-queries";
import {
  cancelRuns,
  createRuns,
  dispatchCreatedRuns,
  sendCancelRequests,
  type RunServiceDeps,
  type StartedRun,
  type StartRunInput,
} from "./runs";

/** Runs one step of the bulk-operation function handles: one transaction, one keyset page. */
export const BULK_BATCH_SIZE = 500;

/**
 * The most runs one operation takes: the function's steps stay under Inngest's 1,000 steps per
 * run (BULK_BATCH_SIZE each). A larger set is refused with a request to narrow the filter.
 */
export const MAX_BULK_RUNS = 400_000;

export class BulkOperationNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "bulk_operation_not_found";
  constructor(operationId: string) {
    super(`Bulk operation ${operationId} was not found.`);
  }
}

export class BulkOperationEndedError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "bulk_operation_ended";
  constructor(status: string) {
    super(`The bulk operation has already ended (${status}); there is nothing to cancel.`);
  }
}

/** A bulk request the service refuses before writing anything; the message says why. */
export class BulkRequestInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "bulk_request_invalid";
}

export class BulkDispatchFailedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "dispatch_failed";
  constructor(cause: string) {
    super(`The bulk operation could not be started: ${cause}`);
  }
}

type Actor = { tenantId: string; userId: string };

/**
 * The filters an operation of `kind` acts on: a cancel only ever matches runs that can still be
 * cancelled, so its count is the runs it will cancel. Null: the filter can match no such run.
 */
function actedOnFilters(kind: BulkOperationKind, filters: RunListFilters): RunListFilters | null {
  if (kind !== "cancel") return filters;
  const cancellable: RunStatus[] = filters.status?.length
    ? filters.status.filter((status) => CANCELLABLE_RUN_STATUSES.includes(status))
    : [...CANCELLABLE_RUN_STATUSES];
  return cancellable.length ? { ...filters, status: cancellable } : null;
}

/** How many runs an operation of `kind` would act on now: the confirmation's count. */
export async function countMatchingRuns(
  db: Database,
  tenantId: string,
  kind: BulkOperationKind,
  filters: BulkRunFilters,
): Promise<number> {
  const acted = actedOnFilters(kind, filters);
  if (!acted) return 0;
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(skillRuns)
    .where(runListConditions(tenantId, acted));
  return row?.count ?? 0;
}

/** The filters as stored, with a relative window replaced by its start as of `frozenAt`. */
function storedFiltersOf(filters: RunListFilters, frozenAt: Date): StoredRunFilters {
  const { createdWithin, createdAfter, createdBefore, ...rest } = filters;
  const windowStart = createdWithin
    ? new Date(frozenAt.getTime() - CREATED_WITHIN_SECONDS[createdWithin] * 1000)
    : undefined;
  const after =
    windowStart && createdAfter
      ? new Date(Math.max(windowStart.getTime(), createdAfter.getTime()))
      : (windowStart ?? createdAfter);
  return {
    ...rest,
    ...(after ? { createdAfter: after.toISOString() } : {}),
    ...(createdBefore ? { createdBefore: createdBefore.toISOString() } : {}),
  };
}

function filtersOfStored(stored: StoredRunFilters): RunListFilters {
  const { createdAfter, createdBefore, ...rest } = stored;
  return {
    ...rest,
    ...(createdAfter ? { createdAfter: new Date(createdAfter) } : {}),
    ...(createdBefore ? { createdBefore: new Date(createdBefore) } : {}),
  };
}

/**
 * Checks a re-run's input overrides before anything is written: they need the filter to name
 * one skill, and each must be an input of it with a value its schema accepts. Required inputs
 * may be left out (each run keeps its own).
 */
async function checkOverrides(
  db: Database,
  tenantId: string,
  kind: BulkOperationKind,
  filters: RunListFilters,
  overrides: Record<string, unknown> | undefined,
): Promise<Record<string, unknown> | null> {
  if (!overrides || Object.keys(overrides).length === 0) return null;
  if (kind !== "rerun")
    throw new BulkRequestInvalidError("Only a re-run takes input overrides; a cancel takes none.");
  if (!filters.skillId)
    throw new BulkRequestInvalidError(
      "Input overrides need the history filtered to one skill, so they can be checked against its inputs.",
    );
  const [skill] = await db
    .select({ inputsSchema: skills.inputsSchema })
    .from(skills)
    .where(
      and(
        eq(skills.id, filters.skillId),
        or(eq(skills.tenantId, tenantId), isNull(skills.tenantId)),
      ),
    );
  if (!skill) throw new BulkRequestInvalidError("The filter's skill was not found in this tenant.");
  const partial: InputsSchema = { ...skill.inputsSchema, required: [] };
  // Defaults are not filled in: an override replaces only the inputs it names.
  const withoutDefaults: InputsSchema = {
    ...partial,
    properties: Object.fromEntries(
      Object.entries(partial.properties ?? {}).map(([name, { default: _default, ...property }]) => [
        name,
        property,
      ]),
    ),
  };
  const result = compileSkillInputs(withoutDefaults)(overrides);
  if (!result.valid) throw new InputsInvalidError(result.fieldErrors);
  return overrides;
}

const operationColumns = {
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
  frozenAt: bulkOperations.frozenAt,
  createdAt: bulkOperations.createdAt,
  startedAt: bulkOperations.startedAt,
  finishedAt: bulkOperations.finishedAt,
  requestedByUserId: bulkOperations.requestedByUserId,
  cancelledByUserId: bulkOperations.cancelledByUserId,
};

const whereOperation = (ref: BulkOperationRef) =>
  and(eq(bulkOperations.id, ref.operationId), eq(bulkOperations.tenantId, ref.tenantId));

/**
 * Starts "Cancel/Re-run all matching": freezes the match set at the database's now (runs
 * created later are not the operation's), counts it, writes the operation and its audit entry
 * in one transaction, then sends the event the bulk-operation function runs on. The same
 * idempotency key gets the operation it started (a double click starts one). Bad overrides or
 * a filter matching nothing are refused and nothing is written.
 */
export async function startBulkOperation(
  deps: RunServiceDeps,
  actor: Actor,
  input: {
    kind: BulkOperationKind;
    filters: BulkRunFilters;
    inputOverrides?: Record<string, unknown>;
    idempotencyKey: string;
  },
  audit: AuditContext,
) {
  const { db } = deps;
  const existing = await operationByKey(db, actor.tenantId, input.idempotencyKey);
  if (existing) return { operation: existing, created: false };
  const overrides = await checkOverrides(
    db,
    actor.tenantId,
    input.kind,
    input.filters,
    input.inputOverrides,
  );
  const acted = actedOnFilters(input.kind, input.filters);
  if (!acted)
    throw new BulkRequestInvalidError("No run matches this filter: there is nothing to cancel.");

  const started = await db.transaction(async (tx) => {
    // The database's clock at skill_runs.created_at's precision: the batches compare with it.
    const [clock] = await tx.execute<{ frozen_at: string | Date }>(
      sql`select now()::timestamptz(3) as frozen_at`,
    );
    if (!clock) throw new Error("the database did not tell its time");
    const frozenAt = new Date(clock.frozen_at);
    const stored = storedFiltersOf(acted, frozenAt);
    const [counted] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(skillRuns)
      .where(
        and(
          runListConditions(actor.tenantId, filtersOfStored(stored)),
          lte(skillRuns.createdAt, frozenAt),
        ),
      );
    const total = counted?.count ?? 0;
    if (total === 0)
      throw new BulkRequestInvalidError(
        input.kind === "cancel"
          ? "No queued or running run matches this filter: there is nothing to cancel."
          : "No run matches this filter: there is nothing to re-run.",
      );
    if (total > MAX_BULK_RUNS)
      throw new BulkRequestInvalidError(
        `This filter matches ${total} runs; one bulk operation takes at most ${MAX_BULK_RUNS}. Narrow the filter.`,
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
  if (!started) {
    // A concurrent call with the same key committed first.
    const winner = await operationByKey(db, actor.tenantId, input.idempotencyKey);
    if (!winner) throw new Error("idempotency conflict without an existing bulk operation");
    return { operation: winner, created: false };
  }
  try {
    await deps.dispatcher.send({
      name: BULK_OPERATION_REQUESTED,
      id: started.id,
      data: { operationId: started.id, tenantId: actor.tenantId },
    });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    await failBulkOperation(db, { operationId: started.id, tenantId: actor.tenantId }, cause);
    throw new BulkDispatchFailedError(cause);
  }
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

type BatchOutcome = { done: number; skipped: number; failed: number };

/**
 * One batch of an operation, the bulk-operation function's step: under the operation's row
 * lock, the next BULK_BATCH_SIZE matched runs after the saved cursor (newest first, created no
 * later than `frozen_at`) are cancelled or re-run, and the cursor and counts move in the same
 * transaction. A retried or doubled step therefore finds the cursor past its batch: no run is
 * handled twice. An operation that is no longer queued or running (cancelled meanwhile) is left
 * as it is; one whose match set is used up is completed, with its audit entry.
 */
export async function processBulkBatch(
  deps: RunServiceDeps,
  ref: BulkOperationRef,
  batchSize = BULK_BATCH_SIZE,
): Promise<{ finished: boolean }> {
  const after = await deps.db.transaction(async (tx) => {
    const [operation] = await tx
      .select({
        ...operationColumns,
        cursorCreatedAt: bulkOperations.cursorCreatedAt,
        cursorId: bulkOperations.cursorId,
      })
      .from(bulkOperations)
      .where(whereOperation(ref))
      .for("update");
    if (!operation || !ACTIVE_BULK_OPERATION_STATUSES.includes(operation.status)) return null;
    const cursor =
      operation.cursorCreatedAt && operation.cursorId
        ? { createdAt: operation.cursorCreatedAt, id: operation.cursorId }
        : null;
    const batch = await tx
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
          cursor ? afterRunCursor(cursor) : undefined,
        ),
      )
      .orderBy(desc(skillRuns.createdAt), desc(skillRuns.id))
      .limit(batchSize);
    const last = batch.at(-1);
    if (!last) {
      await finishOperation(tx, ref, operation);
      return null;
    }
    let outcome: BatchOutcome;
    let cancelled: string[] = [];
    let created: StartedRun["run"][] = [];
    if (operation.kind === "cancel") {
      cancelled = await cancelRuns(tx, {
        tenantId: ref.tenantId,
        runIds: batch.map((run) => run.id),
        userId: operation.requestedByUserId,
        bulkOperationId: operation.id,
      });
      outcome = { done: cancelled.length, skipped: batch.length - cancelled.length, failed: 0 };
    } else {
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
          // A second try of this run by this operation finds the first one's re-run.
          idempotencyKey: `bulk:${operation.id}:${run.id}`,
        })),
      );
      created = outcomes.flatMap((result) =>
        "error" in result || !result.created ? [] : [result.run],
      );
      const failed = outcomes.filter((result) => "error" in result).length;
      outcome = { done: created.length, skipped: batch.length - created.length - failed, failed };
    }
    await tx
      .update(bulkOperations)
      .set({
        status: "running",
        startedAt: operation.startedAt ?? sql`now()`,
        cursorCreatedAt: last.createdAt,
        cursorId: last.id,
        done: sql`${bulkOperations.done} + ${outcome.done}`,
        skipped: sql`${bulkOperations.skipped} + ${outcome.skipped}`,
        failed: sql`${bulkOperations.failed} + ${outcome.failed}`,
      })
      .where(whereOperation(ref));
    return { cancelled, created, full: batch.length === batchSize };
  });
  if (!after) return { finished: true };
  // After committing, as with every start and cancel: the engine never sees an uncommitted run.
  await sendCancelRequests(deps.dispatcher, ref.tenantId, after.cancelled);
  await dispatchCreatedRuns(
    deps,
    after.created.map((run) => ({ run, tenantId: ref.tenantId })),
  );
  return { finished: false };
}

/**
 * The match set is used up: completed. A run matched at the click but gone from the filter by
 * its batch (a cancel's run that ended meanwhile, a deleted run) was left alone: skipped.
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
  },
) {
  const skipped = Math.max(operation.total - operation.done - operation.failed, operation.skipped);
  await tx
    .update(bulkOperations)
    .set({
      status: "completed",
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
      total: operation.total,
      done: operation.done,
      skipped,
      failed: operation.failed,
    },
  });
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
 * The function gave up (its retries spent): the operation is failed with the reason, its
 * counts as they are (every committed batch stays done). Audit-logged as its end.
 */
export async function failBulkOperation(db: Database, ref: BulkOperationRef, reason: string) {
  await db.transaction(async (tx) => {
    const [failed] = await tx
      .update(bulkOperations)
      .set({ status: "failed", error: reason.slice(0, 2000), finishedAt: sql`now()` })
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

/** The tenant's most recent operations, newest first (the history page's progress panel). */
export function listRecentBulkOperations(db: Database, tenantId: string) {
  return db
    .select(operationColumns)
    .from(bulkOperations)
    .where(eq(bulkOperations.tenantId, tenantId))
    .orderBy(desc(bulkOperations.createdAt), desc(bulkOperations.id))
    .limit(RECENT_BULK_OPERATIONS);
}
