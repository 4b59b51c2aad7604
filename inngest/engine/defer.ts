/**
 * `defer()` (the `DeferAdd` / `DeferAbort` lazy ops), with the Go server's semantics
 * (`pkg/execution/defers`, `finalize.go`): a `DeferAdd` rides along with a step's result and
 * records, under its hashed id, a run of a `createDefer` function to start once the parent run
 * ends — whatever its end (completed, failed or cancelled) — as an `inngest/deferred.schedule`
 * event. Records are insert-only, so a retransmitted `DeferAdd` is a no-op; `DeferAbort` turns
 * a recorded defer into `Aborted` (terminal). Each SDK request carries `defers: {id:
 * {abortable}}`, so the SDK neither re-reports a recorded defer nor aborts a settled one. A
 * defer never fails its parent: an invalid or oversized one is recorded `Rejected` (or, past
 * the count cap, dropped) and the run goes on. Pure.
 */
import type { Op } from "./protocol";

/** Go's `consts.MaxDefersPerRun`, `MaxDeferInputSize`, `MaxDeferInputAggregateSize`, `MaxEventMetaSize`. */
export const MAX_DEFERS_PER_RUN = 20;
export const MAX_DEFER_INPUT_BYTES = 4 * 1024 * 1024;
const MAX_DEFER_INPUT_AGGREGATE_BYTES = 4 * 1024 * 1024;
const MAX_DEFER_META_BYTES = 32 * 1024;

export const DEFERRED_SCHEDULE_EVENT = "inngest/deferred.schedule";

export type DeferStatus = "AfterRun" | "Aborted" | "Rejected";
export type DeferRecord = {
  fn_slug: string;
  status: DeferStatus;
  /** The deferred run's event data (an object); only while `AfterRun`. */
  input?: Record<string, unknown>;
  /** The deferred event's `meta` (session layers), resolved when the event is built. */
  meta?: Record<string, unknown>;
};
/** A run's defers by the `DeferAdd` op's hashed id. */
export type Defers = Record<string, DeferRecord>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function addRecord(op: Pick<Op, "id" | "opts">, inputBytesUsed: number): DeferRecord | null {
  const fnSlug = op.opts?.fn_slug;
  if (typeof fnSlug !== "string" || !fnSlug) return null;
  const input = op.opts?.input ?? {};
  const meta = op.opts?.meta;
  const rejected: DeferRecord = { fn_slug: fnSlug, status: "Rejected" };
  if (!isObject(input) || jsonBytes(input) > MAX_DEFER_INPUT_BYTES) return rejected;
  if (meta !== undefined && meta !== null && !isObject(meta)) return rejected;
  if (jsonBytes(meta) > MAX_DEFER_META_BYTES) return rejected;
  if (inputBytesUsed + jsonBytes(input) > MAX_DEFER_INPUT_AGGREGATE_BYTES) return rejected;
  return { fn_slug: fnSlug, status: "AfterRun", input, ...(isObject(meta) ? { meta } : {}) };
}

/**
 * The records a response's (or a checkpoint's) lazy ops change, in op order, as the delta to
 * merge into the run's defers (`defers || delta`). Other ops are ignored.
 */
export function applyDeferOps(
  defers: Defers,
  ops: readonly Pick<Op, "id" | "op" | "opts">[],
): Defers {
  const delta: Defers = {};
  const current = (id: string) => delta[id] ?? defers[id];
  for (const op of ops) {
    if (op.op === "DeferAdd") {
      if (current(op.id)) continue;
      const all = { ...defers, ...delta };
      if (Object.keys(all).length >= MAX_DEFERS_PER_RUN) continue;
      const used = Object.values(all).reduce((sum, record) => sum + jsonBytes(record.input), 0);
      const record = addRecord(op, used);
      if (record) delta[op.id] = record;
    } else if (op.op === "DeferAbort") {
      const target = op.opts?.target_hashed_id;
      const record = typeof target === "string" ? current(target) : undefined;
      if (typeof target === "string" && record)
        delta[target] = { fn_slug: record.fn_slug, status: "Aborted" };
    }
  }
  return delta;
}

/** The request body's `defers`: a recorded defer may still be aborted only while `AfterRun`. */
export function sdkDefers(defers: Defers): Record<string, { abortable: boolean }> {
  return Object.fromEntries(
    Object.entries(defers).map(([id, record]) => [id, { abortable: record.status === "AfterRun" }]),
  );
}

/**
 * The `inngest/deferred.schedule` events a run that ended sends, one per `AfterRun` defer:
 * the input as data with the parent linkage under `_inngest` (the SDK strips it, and routes
 * on `fn_slug`), and the defer's meta, whose session layers ingest merges.
 */
export function deferredScheduleEvents(
  parent: { runId: string; functionSlug: string; appName: string },
  defers: Defers,
): { name: string; data: Record<string, unknown>; meta?: Record<string, unknown> }[] {
  return Object.entries(defers)
    .filter(([, record]) => record.status === "AfterRun")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hashedId, record]) => ({
      name: DEFERRED_SCHEDULE_EVENT,
      data: {
        ...record.input,
        _inngest: {
          fn_slug: record.fn_slug,
          parent_app_id: parent.appName,
          parent_fn_id: parent.functionSlug,
          parent_fn_slug: parent.functionSlug,
          parent_run_id: parent.runId,
          defer_id: hashedId,
        },
      },
      ...(record.meta ? { meta: record.meta } : {}),
    }));
}
