import type {
  EngineConfig,
  QueueItem,
  RegisteredFunction,
  RunCandidate,
  RunState,
} from "./engine-types";
import { selectSingletonRuns, selectTimedRuns } from "./engine-store";
import { priorityExpressionOf, priorityFactorSeconds, priorityScore } from "./flow-priority";
import {
  singletonConfigOf,
  singletonKey,
  SingletonLocks,
  type SingletonMode,
} from "./flow-singleton";
import { throttleConfigOf, throttleKey, ThrottleGate } from "./flow-throttle";
import {
  RunDeadlines,
  hasTimeouts,
  startExpired,
  timeoutLimitsOf,
  type TimeoutKind,
} from "./flow-timeouts";
import {
  checkOutputs,
  OutputTally,
  stateOverflowedError,
  type OutputLimits,
} from "./output-limits";
import type { InngestEvent, Op } from "./protocol";
import type { Sql } from "./store";

/** What flow control needs of the engine. */
export type FlowDeps = {
  sql: Sql;
  log: EngineConfig["log"];
  logError: (msg: string, error: unknown, fields?: Record<string, unknown>) => void;
  /** The registered functions, by slug. */
  functions: ReadonlyMap<string, RegisteredFunction>;
  outputLimits: OutputLimits;
  getRun: (runId: string) => Promise<RunState | undefined>;
  cancel: (run: RunState, reason: string) => Promise<boolean>;
  finalize: (run: RunState, status: "Failed", output: unknown) => Promise<boolean>;
  /** Puts a call whose throttle turn came on the ready queue (dispatched at the next `pump`). */
  makeReady: (item: QueueItem) => void;
  pump: () => void;
  /** False once the engine is stopping or stopped: no new work. */
  isActive: () => boolean;
  /** Work close() waits for. */
  track: (work: Promise<void>) => void;
  untrack: (work: Promise<void>) => void;
};

/**
 * The engine's flow-control glue: `priority.run` scores, `timeouts.start` / `finish`
 * deadlines, `singleton` locks, `throttle` admission and output limits, wired to the runs in
 * motion. The rules themselves are in `flow-*.ts` and `output-limits.ts`; this holds their
 * state (memory only, rebuilt by `recoverSingletons` / `recoverDeadlines` at start).
 */
export class FlowControl {
  readonly singletons = new SingletonLocks();
  /** `timeouts.start` / `timeouts.finish` deadlines of the runs in motion (flow-timeouts.ts). */
  readonly deadlines = new RunDeadlines((runId, kind) => this.expireRun(runId, kind));
  readonly outputTally = new OutputTally();
  /** Runs whose start passed their throttle (a start handed back by the gate is not charged twice). */
  private readonly throttleAdmitted = new Set<string>();
  private readonly throttle = new ThrottleGate<QueueItem>((items) => {
    for (const item of items) {
      this.throttleAdmitted.add(item.runId);
      this.deps.makeReady(item);
    }
    this.deps.pump();
  });
  private readonly outputLimits: OutputLimits;

  constructor(private readonly deps: FlowDeps) {
    this.outputLimits = deps.outputLimits;
  }

  /** The engine stopped: no timer fires any more. */
  stop() {
    this.throttle.stop();
    this.deadlines.clear();
  }

  /** A run ended: its singleton lock, throttle entry and output tally go. */
  forget(runId: string) {
    this.singletons.release(runId);
    this.throttleAdmitted.delete(runId);
    this.throttle.drop((item) => item.runId === runId);
    this.outputTally.forget(runId);
  }

  /** The run's place among runs not under way (flow-priority.ts); a bad expression is logged, factor 0. */
  priorityScoreOf(
    fn: RegisteredFunction | undefined,
    trigger: InngestEvent | undefined,
    enqueuedAt: number,
    runId: string,
  ): number {
    if (!fn || !priorityExpressionOf(fn.config)) return enqueuedAt;
    const factor = priorityFactorSeconds(fn.config, trigger, (problem) =>
      this.deps.log({
        level: "warn",
        msg: "run.priority_invalid",
        run_id: runId,
        function: fn.slug,
        ...problem,
      }),
    );
    return priorityScore(enqueuedAt, factor);
  }

  /**
   * After a restart: the deadlines of the runs whose functions have `timeouts`. A run that had
   * begun a request (steps, pending steps, a leased or retried call) has started; as the start of
   * its first request is not stored, its finish deadline counts from now — a restart extends it,
   * never cuts it short. A run not started keeps its start deadline from its enqueue.
   */
  async recoverDeadlines() {
    const timed = [...this.deps.functions.values()].filter((fn) =>
      hasTimeouts(timeoutLimitsOf(fn.config)),
    );
    if (timed.length === 0) return;
    const rows = await selectTimedRuns(
      this.deps.sql,
      timed.map((fn) => fn.slug),
    );
    const now = Date.now();
    for (const row of rows) {
      const fn = this.deps.functions.get(row.function_slug);
      if (!fn) continue;
      const limits = timeoutLimitsOf(fn.config);
      if (row.under_way) this.deadlines.started(row.id, limits, now);
      else this.deadlines.waiting(row.id, limits, row.started_at.getTime());
    }
  }

  /**
   * At a request's start, as Go's run validator: a run past its start limit that has not
   * started is cancelled instead of dispatched (false); otherwise its first request starts the
   * finish clock.
   */
  async beginRequestClock(run: RunState, fn: RegisteredFunction): Promise<boolean> {
    if (this.deadlines.isStarted(run.id)) return true;
    const limits = timeoutLimitsOf(fn.config);
    if (!hasTimeouts(limits)) return true;
    const now = Date.now();
    if (startExpired(limits, run.enqueuedAt, now)) {
      await this.timeOut(run, "start");
      return false;
    }
    this.deadlines.started(run.id, limits, now);
    return true;
  }

  /** A deadline passed: the run, if still running (and for `start`, still not started), is cancelled. */
  private expireRun(runId: string, kind: TimeoutKind) {
    if (!this.deps.isActive()) return;
    const work = (async () => {
      const run = await this.deps.getRun(runId);
      if (!run || run.status !== "Running") return;
      if (kind === "start" && this.deadlines.isStarted(runId)) return;
      await this.timeOut(run, kind);
    })()
      .catch((error: unknown) => {
        this.deps.logError("run.timeout_failed", error, { run_id: runId, timeout: kind });
        // Nothing was written: try again shortly (a restart re-arms it from the database too).
        if (this.deps.isActive()) setTimeout(() => this.expireRun(runId, kind), 1_000).unref();
      })
      .finally(() => this.deps.untrack(work));
    this.deps.track(work);
  }

  /** Cancelled as Inngest cancels a timed-out run: `function.cancelled`, never `function.failed`. */
  private async timeOut(run: RunState, kind: TimeoutKind) {
    this.deps.log({
      level: "warn",
      msg: "run.timed_out",
      run_id: run.id,
      function: run.functionSlug,
      timeout: kind,
    });
    await this.deps.cancel(run, `timeouts.${kind}`);
  }

  /** The singleton locks of the runs still Running, as before the restart. */
  async recoverSingletons() {
    const slugs = [...this.deps.functions.values()]
      .filter((fn) => singletonConfigOf(fn.config))
      .map((fn) => fn.slug);
    if (slugs.length === 0) return;
    const rows = await selectSingletonRuns(this.deps.sql, slugs);
    for (const row of rows) {
      const config = this.deps.functions.get(row.function_slug)?.config;
      const singleton = config && singletonConfigOf(config);
      const key = singleton ? singletonKey(row.function_slug, singleton, row.event) : null;
      if (key !== null && this.singletons.holder(key) === undefined)
        this.singletons.claim(key, row.id);
    }
  }

  /**
   * The singleton lock a new run of `fn` would take; "skip" when `skip` mode finds it held (the
   * run is dropped: logged as skipped, never queued, as the Go server does).
   */
  singletonFor(
    fn: RegisteredFunction,
    eventId: string,
    event: InngestEvent,
  ): { key: string; mode: SingletonMode } | "skip" | null {
    const config = singletonConfigOf(fn.config);
    const key = config ? singletonKey(fn.slug, config, event) : null;
    if (!config || key === null) return null;
    const holder = this.singletons.holder(key);
    if (holder !== undefined && config.mode === "skip") {
      this.deps.log({
        level: "info",
        msg: "run.skipped",
        function: fn.slug,
        event_id: eventId,
        reason: "singleton",
        running_run_id: holder,
      });
      return "skip";
    }
    return { key, mode: config.mode };
  }

  claimSingleton(candidate: RunCandidate, singleton: { key: string; mode: SingletonMode } | null) {
    if (!singleton) return;
    const previous = this.singletons.claim(singleton.key, candidate.planned.runId);
    candidate.singleton = {
      key: singleton.key,
      ...(previous !== undefined ? { previous } : {}),
      cancelPrevious: singleton.mode === "cancel",
    };
  }

  /** `cancel` mode: the run holding the lock ends like any cancellation (no onFailure). */
  async cancelSingletonHolder(runId: string, replacedBy: string) {
    // The new run starts whatever happens here: a failed cancel must not strand it unscheduled.
    try {
      const run = await this.deps.getRun(runId);
      if (!run || run.status !== "Running") return;
      if (await this.deps.cancel(run, "singleton"))
        this.deps.log({
          level: "info",
          msg: "run.singleton_cancelled",
          run_id: runId,
          replaced_by: replacedBy,
        });
    } catch (error) {
      this.deps.logError("singleton.cancel_failed", error, {
        run_id: runId,
        replaced_by: replacedBy,
      });
    }
  }

  /**
   * A throttled function's run starts when its key's GCRA allows; until then its first call
   * waits in the gate, in run order, and comes back through `ready` (see ThrottleGate).
   */
  admitThrottled(run: RunState, fn: RegisteredFunction, item: QueueItem): boolean {
    const config = throttleConfigOf(fn.config);
    const [event] = run.events;
    if (
      !config ||
      !event ||
      item.kind !== "execute" ||
      run.stack.length > 0 ||
      this.throttleAdmitted.has(run.id)
    )
      return true;
    if (!this.throttle.admit(throttleKey(fn.slug, config, event), config, item, run.seq)) {
      run.queueIds.add(item.id);
      return false;
    }
    this.throttleAdmitted.add(run.id);
    return true;
  }

  /**
   * The `step.run` outputs of a response against the limits: the steps over the step limit
   * (they fail), or null when the run's outputs together overflow it (the run has failed).
   */
  async checkOutputLimits(run: RunState, ops: Op[]): Promise<Map<string, number> | null> {
    const outputs = ops.filter((op) => op.op === "StepRun" && !(op.id in run.steps));
    if (outputs.length === 0) return new Map();
    const limits = this.outputLimits;
    const verdict = checkOutputs(
      outputs.map((op) => ({ id: op.id, data: op.data ?? null })),
      this.outputTally.of(run.id, run.steps),
      limits,
    );
    for (const [stepId, bytes] of verdict.tooLarge)
      this.deps.log({
        level: "warn",
        msg: "step.output_too_large",
        run_id: run.id,
        step_id: stepId,
        bytes,
        limit: limits.stepBytes,
      });
    if (verdict.overflowed) {
      this.deps.log({
        level: "error",
        msg: "run.state_overflowed",
        run_id: run.id,
        bytes: verdict.runBytes,
        limit: limits.runBytes,
      });
      await this.deps.finalize(
        run,
        "Failed",
        stateOverflowedError(verdict.runBytes, limits.runBytes),
      );
      return null;
    }
    this.outputTally.set(run.id, verdict.runBytes);
    return verdict.tooLarge;
  }
}
