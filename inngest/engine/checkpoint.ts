/**
 * Async checkpointing (`POST /v1/checkpoint/:runId/async`), as the Go server's checkpointer
 * serves it: the SDK, in one request, runs `step.run`s back to back and posts each result here
 * before starting the next. Pure parts: the body's schema, the queue item reference the engine
 * hands out as `ctx.qi_id`, and which ops a checkpoint saves.
 */
import { z } from "zod";
import { LAZY_OPS, type Op } from "./protocol";

/** What `InngestApi.checkpointStepsAsync` (inngest@4.24) posts. */
export const checkpointBodySchema = z.object({
  run_id: z.string().optional(),
  fn_id: z.string().optional(),
  qi_id: z.string(),
  request_id: z.string().optional(),
  generation_id: z.number().int().optional(),
  request_started_at: z.number().optional(),
  steps: z.array(
    z.looseObject({
      id: z.string().min(1),
      op: z.string().min(1),
      data: z.unknown().optional(),
      opts: z.record(z.string(), z.unknown()).nullish(),
    }),
  ),
  ts: z.number().optional(),
});
export type CheckpointBody = z.infer<typeof checkpointBodySchema>;

/**
 * `ctx.qi_id`: the queue item and the lease generation of this dispatch. Every dispatch of a
 * queue item takes a new generation, so a checkpoint names the one request it came from.
 */
export function queueItemRef(queueId: number, leaseGen: number): string {
  return `${queueId}.${leaseGen}`;
}

export function parseQueueItemRef(ref: string): { queueId: number; leaseGen: number } | null {
  const match = /^(\d{1,15})\.(\d{1,9})$/.exec(ref);
  if (!match) return null;
  return { queueId: Number(match[1]), leaseGen: Number(match[2]) };
}

/** An op the Go checkpointer accepts without saving anything: a step announced. */
const IGNORED_OPS = new Set(["StepPlanned"]);
/** `Step` is the older name of `StepRun`; both carry a finished step's output. */
const SAVED_OPS = new Set(["StepRun", "Step"]);

export type CheckpointOp = Pick<Op, "id" | "op" | "data" | "opts">;
export type CheckpointPlan =
  | { ok: true; saves: { id: string; value: { data: unknown } }[]; defers: CheckpointOp[] }
  | { ok: false; opcode: string };

/**
 * The step values a checkpoint saves, first occurrence of an id winning, and its defer ops
 * (recorded as in a 206, defer.ts); any op that needs the executor (sleep, wait, invoke,
 * error…) cannot be checkpointed and rejects the whole request.
 */
export function planCheckpoint(ops: readonly CheckpointOp[]): CheckpointPlan {
  const saves: { id: string; value: { data: unknown } }[] = [];
  const defers: CheckpointOp[] = [];
  const seen = new Set<string>();
  for (const op of ops) {
    if (IGNORED_OPS.has(op.op)) continue;
    if (LAZY_OPS.has(op.op)) {
      defers.push(op);
      continue;
    }
    if (!SAVED_OPS.has(op.op)) return { ok: false, opcode: op.op };
    if (seen.has(op.id)) continue;
    seen.add(op.id);
    saves.push({ id: op.id, value: { data: op.data ?? null } });
  }
  return { ok: true, saves, defers };
}
