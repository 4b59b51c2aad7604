import { resolveDeadline } from "./durations";
import type { RegisteredFunction, RunCandidate, RunRow, RunState } from "./engine-types";
import { evaluateKey, expressionMatches } from "./expressions";
import type { PlannedRun } from "./ingest-statement";
import type { InngestEvent } from "./protocol";

/**
 * A run's dedupe keys: the event id per function, and its `idempotency` key unless the
 * expression evaluates to `false` (an expression that fails to evaluate still dedupes).
 */
export function dedupeKeysOf(fn: RegisteredFunction, event: InngestEvent | undefined): string[] {
  const dedupeKeys = event ? [`${fn.slug}:id:${event.id}`] : [];
  if (event && fn.config.idempotency) {
    let idempotent = true;
    try {
      idempotent = expressionMatches(`(${fn.config.idempotency}) != false`, { event });
    } catch {
      idempotent = true;
    }
    if (idempotent)
      dedupeKeys.push(`${fn.slug}:idempotency:${evaluateKey(fn.config.idempotency, { event })}`);
  }
  return dedupeKeys;
}

/** The cancellation waits (`cancel: [...]`) a new run of `fn` registers, expiring from `now`. */
export function cancelWaitsOf(fn: RegisteredFunction, now: number): PlannedRun["cancels"] {
  return (fn.config.cancel ?? []).map((cancel) => ({
    eventName: cancel.event,
    expression: cancel.if ?? null,
    expiresAt: new Date(resolveDeadline(cancel.timeout, now)),
  }));
}

/** The in-memory state of a run its ingest statement just created (`seq` from that statement). */
export function newRunState(
  candidate: RunCandidate,
  seq: number,
  enqueuedAt: number,
  priorityScore: number,
): RunState {
  const { fn, planned } = candidate;
  return {
    id: planned.runId,
    seq,
    functionSlug: fn.slug,
    events: planned.events,
    status: "Running",
    steps: {},
    stack: [],
    pending: new Set(),
    forceStepPlan: false,
    maxAttempts: fn.maxAttempts,
    concurrency: candidate.concurrency,
    queueIds: new Set(),
    storedSteps: 0,
    defers: {},
    unsavedDefers: {},
    enqueuedAt,
    priorityScore,
  };
}

/** A stored run's state in memory; its priority score is evaluated again by the caller (not stored). */
export function runStateFromRow(row: RunRow, priorityScore: number): RunState {
  return {
    id: row.id,
    seq: Number(row.seq),
    functionSlug: row.function_slug,
    events: row.events,
    status: row.status,
    steps: row.steps,
    stack: row.stack,
    pending: new Set(row.pending),
    forceStepPlan: row.force_step_plan,
    maxAttempts: row.max_attempts,
    concurrency: row.concurrency,
    queueIds: new Set(),
    storedSteps: row.stack.length,
    defers: row.defers,
    unsavedDefers: {},
    enqueuedAt: row.started_at.getTime(),
    priorityScore,
  };
}
