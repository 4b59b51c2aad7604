/**
 * The decision part of handling an SDK `206` answer (the engine's `applyOps`): given the run's
 * step state and the response's ops, what to save, what to queue, which invoke events to
 * emit, or whether the call is retried or the run ends. No I/O and no engine: the engine
 * applies the plan's saves to the run and then persists, retries or finalizes as it says.
 */
import { resolveDeadline } from "./durations";
import type { NewQueueItem, RunState } from "./engine-types";
import { stepOutputTooLargeError } from "./output-limits";
import { COMPLETE_OP_ID, EVENTS, retryAfterMs, type Op } from "./protocol";
import { SessionsError, resolveEventMeta } from "./sessions";

export type OpPlanInput = {
  run: Pick<RunState, "id" | "functionSlug" | "steps" | "pending" | "maxAttempts">;
  /** The attempt of the call that answered. */
  attempt: number;
  /** The response's ops, lazy ones (defers) left out. */
  ops: Op[];
  /** `x-inngest-no-retry: true` on the response. */
  noRetry: boolean;
  /** The response's `retry-after` header. */
  retryAfter: string | null;
  now: number;
  /** `step.run` outputs over the step limit, by step id, with their size (output-limits.ts). */
  tooLarge: Map<string, number>;
  stepBytesLimit: number;
};

/** How the call ends once the saves are applied. */
export type OpPlanEnd =
  /** A StepError with attempts left: the call runs again (delay: retry-after, else backoff). */
  | { kind: "retry"; opId: string; retryAfterMs: number | null }
  | { kind: "finalize"; status: "Completed" | "Failed"; output: unknown }
  /**
   * Store the saves with `next` queued and `emit` sent in one statement; `rediscover` asks for
   * a discovery call after them, `stepPlanDone` clears the run's `forceStepPlan`.
   */
  | {
      kind: "persist";
      next: NewQueueItem[];
      emit: unknown[];
      rediscover: boolean;
      stepPlanDone: boolean;
    };

export type OpPlan = {
  /** Step values to store, in order: each goes on the run's stack and leaves `pending`. */
  saves: { id: string; value: unknown }[];
  /** Steps the run now waits on (added to `pending`, before the saves are applied). */
  waiting: string[];
  /** Ops the engine does not support (each saved as a step error; logged by the engine). */
  unsupported: string[];
  end: OpPlanEnd;
};

type Planning = {
  input: OpPlanInput;
  plan: OpPlan;
  next: NewQueueItem[];
  emit: unknown[];
  saved: boolean;
  save: (id: string, value: unknown) => void;
  waitOn: (id: string) => boolean;
  has: (id: string) => boolean;
  pendingSize: () => number;
};

function startPlanning(input: OpPlanInput): Planning {
  // `in`, as the run's own checks: the saves of this response join the run's steps.
  const savedIds = new Set<string>();
  const known = { has: (id: string) => id in input.run.steps || savedIds.has(id) };
  const pending = new Set(input.run.pending);
  const planning: Planning = {
    input,
    plan: {
      saves: [],
      waiting: [],
      unsupported: [],
      end: { kind: "finalize", status: "Completed", output: null },
    },
    next: [],
    emit: [],
    saved: false,
    save: (id, value) => {
      if (known.has(id)) return;
      savedIds.add(id);
      pending.delete(id);
      planning.plan.saves.push({ id, value });
      planning.saved = true;
    },
    waitOn: (id) => {
      if (known.has(id) || pending.has(id)) return false;
      pending.add(id);
      planning.plan.waiting.push(id);
      return true;
    },
    has: (id) => known.has(id) || pending.has(id),
    pendingSize: () => pending.size,
  };
  return planning;
}

/** Plans a `206` answer's ops; the same ops on the same state always give the same plan. */
export function planOps(input: OpPlanInput): OpPlan {
  const planning = startPlanning(input);
  let race = false;
  let discover = false;
  for (const op of input.ops) {
    if (op.opts?.parallelMode === "race") race = true;
    const end = planOp(planning, op);
    if (end === "discover") discover = true;
    else if (end) {
      planning.plan.end = end;
      return planning.plan;
    }
  }
  const pendingSize = planning.pendingSize();
  const rediscover =
    (planning.saved || discover || input.ops.length === 0) && (pendingSize === 0 || race);
  planning.plan.end = {
    kind: "persist",
    next: planning.next,
    emit: planning.emit,
    rediscover,
    stepPlanDone: rediscover && pendingSize === 0,
  };
  return planning.plan;
}

/** One op: an end that stops the loop, "discover", or nothing. */
function planOp(planning: Planning, op: Op): OpPlanEnd | "discover" | undefined {
  const { input, save, waitOn, next } = planning;
  switch (op.op) {
    case "StepRun": {
      const bytes = input.tooLarge.get(op.id);
      save(
        op.id,
        bytes === undefined
          ? { data: op.data ?? null }
          : { error: stepOutputTooLargeError(op.id, bytes, input.stepBytesLimit) },
      );
      return undefined;
    }
    case "StepError": {
      const final = input.noRetry || input.attempt + 1 >= input.run.maxAttempts;
      if (!final)
        return {
          kind: "retry",
          opId: op.id,
          retryAfterMs: retryAfterMs(input.retryAfter, input.now),
        };
      return failStep(planning, op);
    }
    case "StepFailed":
      return failStep(planning, op);
    case "StepPlanned":
      if (waitOn(op.id))
        next.push({ kind: "execute", stepId: op.id, attempt: 0, runAt: input.now });
      return undefined;
    case "Sleep":
      if (waitOn(op.id))
        next.push({
          kind: "sleep",
          stepId: op.id,
          attempt: 0,
          runAt: resolveDeadline(op.name ?? op.opts?.duration, input.now, 0),
        });
      return undefined;
    case "WaitForEvent":
      planWaitForEvent(planning, op);
      return undefined;
    case "InvokeFunction":
      planInvoke(planning, op);
      return undefined;
    case "RunComplete":
      return { kind: "finalize", status: "Completed", output: op.data ?? null };
    case "DiscoveryRequest":
      // The SDK hands the run back (e.g. its maxRuntime ran out): discover again, as Go does.
      return "discover";
    default:
      planning.plan.unsupported.push(op.op);
      save(op.id, {
        error: { name: "Error", message: `${op.op} is not supported by the embedded engine` },
      });
      return undefined;
  }
}

/** A step failed for good: the run fails when it is the function's own body, else the step does. */
function failStep(planning: Planning, op: Op): OpPlanEnd | undefined {
  if (op.id === COMPLETE_OP_ID) return { kind: "finalize", status: "Failed", output: op.error };
  planning.save(op.id, { error: op.error });
  return undefined;
}

function planWaitForEvent(planning: Planning, op: Op): void {
  if (!planning.waitOn(op.id)) return;
  const expiresAt = resolveDeadline(op.opts?.timeout, planning.input.now);
  planning.next.push({
    kind: "wait-timeout",
    stepId: op.id,
    attempt: 0,
    runAt: expiresAt,
    wait: {
      kind: "event",
      eventName: op.name ?? "",
      expression: typeof op.opts?.if === "string" ? op.opts.if : null,
      stepId: op.id,
      correlationId: null,
      expiresAt,
    },
  });
}

function planInvoke(planning: Planning, op: Op): void {
  const { input, save, waitOn, next, emit } = planning;
  if (planning.has(op.id)) return;
  const payload = (op.opts?.payload ?? {}) as {
    data?: Record<string, unknown>;
    v?: string;
    meta?: unknown;
  };
  // The child's sessions: the payload's manual layer merged with the ones the SDK
  // propagated from this run; a merge that breaks the limits fails the step (Go: final).
  let meta: unknown;
  try {
    meta = resolveEventMeta(payload.meta);
  } catch (error) {
    if (!(error instanceof SessionsError)) throw error;
    save(op.id, {
      error: { name: "Error", message: `invalid step.invoke sessions: ${error.message}` },
    });
    return;
  }
  waitOn(op.id);
  const expiresAt = resolveDeadline(op.opts?.timeout, input.now);
  const correlationId = `${input.run.id}.${op.id}`;
  next.push({
    kind: "wait-timeout",
    stepId: op.id,
    attempt: 0,
    runAt: expiresAt,
    wait: {
      kind: "invoke",
      eventName: null,
      expression: null,
      stepId: op.id,
      correlationId,
      expiresAt,
    },
  });
  emit.push({
    name: EVENTS.functionInvoked,
    data: {
      ...payload.data,
      _inngest: {
        fn_id: op.opts?.function_id,
        correlation_id: correlationId,
        source_fn_id: input.run.functionSlug,
      },
    },
    ...(payload.v ? { v: payload.v } : {}),
    ...(meta !== undefined ? { meta } : {}),
  });
}
