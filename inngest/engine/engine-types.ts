/** The engine's shared types: its configuration, a run in memory, queue items and plans. */
import type { Defers } from "./defer";
import type { IngestPlan, PlannedRun } from "./ingest-statement";
import type { OutputLimits } from "./output-limits";
import type { FunctionConfig, InngestEvent, StepState } from "./protocol";
import type { EngineKeys } from "./signing";

export type EngineLogLine = {
  level: "info" | "warn" | "error";
  msg: string;
  [field: string]: unknown;
};

/**
 * Points where a test can make the engine fail (issue 19, D1–D4): each hook runs right after
 * the named write commits, before anything else happens; a hook that throws (and crashes the
 * engine) leaves the database exactly as a SIGKILL there would.
 */
export type EngineFaultPoint =
  /** An event send's statement committed (D1). */
  | "ingest.stored"
  /** A run's terminal status committed (D2). */
  | "finalize.stored"
  /** A persist that starts `step.invoke` children committed (D3). */
  | "invoke.persisted"
  /** A cron tick's `next_tick` advance committed (D4). */
  | "cron.advanced";
export type EngineFaults = Partial<Record<EngineFaultPoint, () => void>> & {
  /** Called after a checkpoint committed and before it is acknowledged (e.g. to crash there). */
  afterCheckpointCommit?: (runId: string) => void;
  /** Holds a committed checkpoint until settled, before the run in memory takes its steps. */
  holdCheckpoint?: (runId: string) => Promise<void> | undefined;
  /**
   * Called after a finalize statement committed, before its callers hear of it: throwing loses
   * the answer, as a connection dropped after the commit does.
   */
  finalizeCommitted?: (runIds: string[]) => void;
  /**
   * Called after a persist statement committed, before its callers hear of it: throwing loses
   * the answer, as a connection dropped after the commit does.
   */
  persistCommitted?: (runIds: string[]) => void;
  /** Whether to answer this checkpoint 503 without touching anything (endpoint unavailable). */
  refuseCheckpoint?: (runId: string) => boolean;
  /** The step ids a committed persist, finalize or checkpoint wrote into the run's `steps`. */
  stepsWritten?: (runId: string, stepIds: string[]) => void;
};

export type EngineConfig = {
  /** Fixed retry backoff in seconds; unset → the Go server's table (15 s … 2 h, with jitter). */
  retryIntervalSeconds?: number;
  historyRetentionHours: number;
  pruneIntervalMs: number;
  maxConcurrentRequests: number;
  /** Ceiling on one SDK request; the real server allows 2 h. */
  requestTimeoutMs: number;
  /** Signed mode: every request to the app carries `X-Inngest-Signature`. */
  keys?: EngineKeys;
  /**
   * Async checkpointing, as every real Inngest server runs the SDK: `ctx.fn_id` is sent, so the
   * SDK runs consecutive steps in one request and posts each result to `/v1/checkpoint`. Off:
   * one step per request (the engine's original mode).
   */
  checkpointing: boolean;
  /**
   * After a restart, how long a request the previous engine sent may still checkpoint before
   * its queue item is dispatched again (checkpoint mode only).
   */
  interruptedRequestGraceMs: number;
  /** Step output limits; unset → Inngest's (4 MiB a step, 32 MiB a run). */
  outputLimits?: OutputLimits;
  log: (line: EngineLogLine) => void;
  /** Test-only fault injection; unset in production, and then costs nothing. */
  faults?: EngineFaults;
};

export type CheckpointOutcome =
  { status: 200 } | { status: 400 | 404 | 409 | 413 | 503; error: string };

/** The engine stopped while handling a request; nothing more may be acknowledged. */
export class EngineStoppedError extends Error {}

export type RegisteredFunction = {
  slug: string;
  appName: string;
  version: number;
  config: FunctionConfig;
  maxAttempts: number;
};

export type ConcurrencySlot = { key: string; limit: number };

export type RunState = {
  id: string;
  seq: number;
  functionSlug: string;
  events: InngestEvent[];
  status: "Running" | "Completed" | "Failed" | "Cancelled";
  steps: StepState;
  stack: string[];
  pending: Set<string>;
  forceStepPlan: boolean;
  maxAttempts: number;
  concurrency: ConcurrencySlot[];
  /** Queue items of this run the scheduler holds, so finalizing can drop them. */
  queueIds: Set<number>;
  /** How many entries of `stack` are stored: a persist writes only the ones after them. */
  storedSteps: number;
  /** Its `defer()` records (defer.ts); the ones not yet stored are also in `unsavedDefers`. */
  defers: Defers;
  unsavedDefers: Defers;
  /** When it was created (enqueued): `timeouts.start` counts from here. */
  enqueuedAt: number;
  /** When it was enqueued, less its `priority.run` factor: its place among runs not under way. */
  priorityScore: number;
};

export type QueueKind = "execute" | "sleep" | "wait-timeout";
export type QueueItem = {
  id: number;
  runId: string;
  kind: QueueKind;
  stepId: string;
  attempt: number;
  waitId: number | null;
  runAt: number;
  /** Written as leased when it was queued, because it is dispatched at once (see canDispatchNow). */
  leased?: boolean;
  /** Its run's concurrency slots were acquired for it ahead of dispatch (see handOffSlots). */
  holdsSlots?: boolean;
  /** The row's `lease_gen` when it was written leased (1 at insert, +1 on a handed-on lease). */
  leaseGen?: number;
  /** Set once sent: a second dispatch of the same item object takes a new lease generation. */
  dispatched?: boolean;
};
/** An SDK request in flight: checkpoints from it reset `item.attempt`; a 409 fences its answer. */
export type Dispatch = { item: QueueItem; leaseGen: number; fenced: boolean };
export type NewQueueItem = {
  kind: QueueKind;
  stepId: string;
  attempt: number;
  runAt: number;
  wait?: NewWait;
  leased?: boolean;
  holdsSlots?: boolean;
};
export type NewWait = {
  kind: "event" | "invoke";
  eventName: string | null;
  expression: string | null;
  stepId: string;
  correlationId: string | null;
  expiresAt: number;
};

/** A run an ingest statement may create, with the slots acquired for its first call. */
export type RunCandidate = {
  fn: RegisteredFunction;
  planned: PlannedRun;
  concurrency: ConcurrencySlot[];
  /** Acquired in memory before the statement: its first queue row is written leased. */
  heldSlots: ConcurrencySlot[];
  /** The singleton key it claimed, and the run that held it (cancelled in `cancel` mode). */
  singleton?: { key: string; previous?: string; cancelPrevious: boolean };
};
export type EnginePlan = {
  statement: IngestPlan;
  candidates: RunCandidate[];
  unknownInvokes: { internalId: string; event: InngestEvent; target: string }[];
};

/** Where a call's concurrency slots go when its response has been handled (see handOffSlots). */
export type SlotHandOff = {
  holder: QueueItem;
  slots: ConcurrencySlot[];
  keep?: NewQueueItem;
  waiter?: QueueItem;
};

export type RunRow = {
  id: string;
  seq: string;
  function_slug: string;
  events: InngestEvent[];
  status: RunState["status"];
  steps: StepState;
  stack: string[];
  pending: string[];
  force_step_plan: boolean;
  max_attempts: number;
  concurrency: ConcurrencySlot[];
  defers: Defers;
  started_at: Date;
};

export class EventValidationError extends Error {}
