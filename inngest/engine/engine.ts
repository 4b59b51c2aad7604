import { createHash } from "node:crypto";
import { refusedByServer, type FinalizeOutcome, type PersistOutcome } from "./batched-writes";
import type { CheckpointBody } from "./checkpoint";
import { CheckpointHandler } from "./checkpoint-handler";
import { applyDeferOps, deferredScheduleEvents, type Defers } from "./defer";
import { expressionMatches } from "./expressions";
import { throttleConfigOf } from "./flow-throttle";
import { createWriters, type EngineWriters } from "./engine-writers";
import { timeoutLimitsOf } from "./flow-timeouts";
import { flowControlWarnings } from "./flow-validation";
import { newUlid } from "./ids";
import { planOps } from "./op-planner";
import { DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "./output-limits";
import {
  ORPHAN_SCAN_INTERVAL_MS,
  ORPHAN_SCAN_WINDOW_MS,
  orphanScanUntilAfter,
  planOrphans,
  scanQueueSince,
} from "./orphan-scan";
import { saveOpMetadata } from "./run-metadata";
import {
  DISCOVERY_STEP,
  EVENTS,
  LAZY_OPS,
  defaultBackoffMs,
  nameMatches,
  parseJson,
  retryAfterMs,
  type FunctionConfig,
  type InngestEvent,
  type Op,
  type SdkResponse,
} from "./protocol";
import {
  emptyIngestPlan,
  invokeResultOf,
  type IngestOutcome,
  type PlannedEvent,
} from "./ingest-statement";
import { resolveEventMeta } from "./sessions";
import type { Sql } from "./store";
import {
  advanceCron,
  consumeWait,
  pruneHistory,
  requeueInterrupted,
  selectAppChecksum,
  selectAppCrons,
  selectCrons,
  selectFunctions,
  selectInterruptedItems,
  type InterruptedItem,
  selectQueuedItems,
  selectRunQueueItems,
  selectRun,
  selectRunningRunIds,
  selectRunStatus,
  selectWaitedNames,
  selectWaitsFor,
  storeApp,
  takeWait,
  unleaseUnsent,
} from "./engine-store";
import {
  EventValidationError,
  type CheckpointOutcome,
  type Dispatch,
  type EngineConfig,
  type EngineFaultPoint,
  type EnginePlan,
  type NewQueueItem,
  type QueueItem,
  type RegisteredFunction,
  type RunCandidate,
  type RunState,
  type SlotHandOff,
} from "./engine-types";
import {
  INTERRUPTED_ERROR,
  INVOKE_TIMEOUT_ERROR,
  lifecycleEvents,
  maxAttemptsOf,
  serializeError,
  toEventMap,
} from "./engine-helpers";
import { nextCronTick } from "./cron-schedule";
import { CronTimers } from "./cron-timers";
import { parseEvents } from "./event-parsing";
import { FlowControl } from "./flow-control";
import { cancelWaitsOf, dedupeKeysOf, newRunState, runStateFromRow } from "./run-planning";
import { callSdk } from "./sdk-request";
import { ReadyQueue } from "./ready-queue";
import { ConcurrencySlots, concurrencySlotsOf } from "./scheduler";

export {
  EngineStoppedError,
  EventValidationError,
  type CheckpointOutcome,
  type EngineConfig,
  type EngineFaultPoint,
  type EngineFaults,
  type EngineLogLine,
} from "./engine-types";
export { nextCronTick } from "./cron-schedule";

/** How often a lost persist's rows are looked for again while the run has a persist in flight. */
const LOST_PERSIST_RECHECK_MS = 50;

/**
 * The single-node Inngest-compatible engine: registry, event ingestion, the run loop,
 * waits, cancellation, cron and flow control. All state is in PostgreSQL; memory holds
 * only what is in motion (active runs, timers, concurrency slots), so a restarted engine
 * resumes from the database.
 */
export class InngestEngine {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly runs = new Map<string, RunState>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly cronTimers = new CronTimers();
  /** What runs next, and the request slots it runs in (ready-queue.ts). */
  private readonly queue: ReadyQueue;
  /** Concurrency slots and their waiters (scheduler.ts); a freed slot's waiter goes on `queue`. */
  private readonly slots = new ConcurrencySlots({
    makeReady: (item) => this.queue.push(item),
    pump: () => this.pump(),
    runOf: (runId) => this.runs.get(runId),
  });
  private readonly inFlight = new Set<Promise<void>>();
  /** Event names that may have a wait or cancellation registered: events with other names skip the lookup. */
  private readonly waitedNames = new Set<string>();
  /** Priority, timeouts, singleton, throttle and output limits of the runs in motion (flow-control.ts). */
  private readonly flow: FlowControl;
  /** Checkpoints in flight and the dispatches they are fenced by (checkpoint-handler.ts). */
  private readonly checkpoints: CheckpointHandler;
  /** Runs being loaded from the database, so concurrent callers share one RunState (see getRun). */
  private readonly loadingRuns = new Map<string, Promise<RunState | undefined>>();
  private stopped = false;
  /** Set by close(): requests in flight finish and are recorded; nothing new is sent. */
  private closing = false;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** One group-committed writer per hot write (engine-writers.ts). */
  private readonly writers: EngineWriters;
  private orphanTimer: NodeJS.Timeout | undefined;
  /** The last queue row the orphan scan has judged (orphan-scan.ts); recovery's rows are below it. */
  private orphanMark = 0;
  /** Scans run only until then: a while after a statement whose answer was lost. */
  private orphanScanUntil = 0;
  /** Items taken off the ready queue whose processing has not ended (their rows are held). */
  private readonly processing = new Set<QueueItem>();
  /** Each run's persists: in flight, and started in all (see adoptLostPersistRows). */
  private readonly persistCounts = new WeakMap<RunState, { inFlight: number; started: number }>();

  constructor(
    private readonly sql: Sql,
    private readonly config: EngineConfig,
  ) {
    this.writers = createWriters(sql, config, () => this.suspectOrphans());
    this.queue = new ReadyQueue(config.maxConcurrentRequests);
    this.flow = new FlowControl({
      sql,
      log: config.log,
      logError: (msg, error, fields) => this.logError(msg, error, fields),
      functions: this.functions,
      outputLimits: this.outputLimits(),
      getRun: (runId) => this.getRun(runId),
      cancel: (run, reason) => this.cancel(run, reason),
      finalize: (run, status, output) => this.finalize(run, status, output),
      makeReady: (item) => this.queue.push(item),
      pump: () => this.pump(),
      isActive: () => !this.stopped && !this.closing,
      track: (work) => this.inFlight.add(work),
      untrack: (work) => this.inFlight.delete(work),
    });
    this.checkpoints = new CheckpointHandler({
      config,
      getRun: (runId) => this.getRun(runId),
      write: (write) => this.writers.checkpoint.write(write),
      outputTally: this.flow.outputTally,
      outputLimits: this.outputLimits(),
      isStopped: () => this.stopped,
    });
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────

  async recover(): Promise<void> {
    const rows = await selectFunctions(this.sql);
    for (const row of rows) this.remember(row.slug, row.app_name, row.version, row.config);
    await this.flow.recoverSingletons();
    await this.flow.recoverDeadlines();

    const interrupted = await selectInterruptedItems(this.sql);
    for (const item of interrupted) await this.recoverInterrupted(item);
    const queued = await selectQueuedItems(this.sql);
    this.orphanMark = [...interrupted, ...queued].reduce(
      (mark, row) => Math.max(mark, Number(row.id)),
      0,
    );
    for (const row of queued) {
      this.schedule({
        id: Number(row.id),
        runId: row.run_id,
        kind: row.kind,
        stepId: row.step_id,
        attempt: row.attempt,
        waitId: row.wait_id === null ? null : Number(row.wait_id),
        runAt: row.run_at.getTime(),
      });
    }

    const crons = await selectCrons(this.sql);
    for (const cron of crons)
      this.scheduleCron(cron.function_slug, cron.expression, cron.next_tick);
    await this.refreshWaitedNames();

    this.pruneTimer = setInterval(
      () => void this.prune().catch((error: unknown) => this.logError("prune.failed", error)),
      this.config.pruneIntervalMs,
    );
    this.pruneTimer.unref();
    this.orphanTimer = setInterval(
      () =>
        void this.scheduleOrphans().catch((error: unknown) =>
          this.logError("orphan_scan.failed", error),
        ),
      ORPHAN_SCAN_INTERVAL_MS,
    );
    this.orphanTimer.unref();
  }

  /** A statement may have committed unseen: scan until the runs it may have created are judged. */
  private suspectOrphans() {
    this.orphanScanUntil = Date.now() + ORPHAN_SCAN_WINDOW_MS;
  }

  /** Queue rows a statement whose answer was lost created, onto the scheduler (orphan-scan.ts). */
  private async scheduleOrphans() {
    if (this.stopped || this.closing || Date.now() > this.orphanScanUntil) return;
    const rows = await scanQueueSince(this.sql, this.orphanMark);
    if (this.stopped || this.closing) return;
    this.orphanScanUntil = orphanScanUntilAfter(this.orphanScanUntil, Date.now(), rows.length);
    const { mark, orphans } = planOrphans(
      rows,
      this.orphanMark,
      (runId, queueId) =>
        this.runs.has(runId) ||
        this.loadingRuns.has(runId) ||
        this.timers.has(queueId) ||
        this.queue.has(queueId),
    );
    this.orphanMark = mark;
    for (const item of orphans) {
      this.config.log({
        level: "warn",
        msg: "run.orphan_scheduled",
        run_id: item.runId,
        step_id: item.stepId,
      });
      this.schedule(item);
    }
  }

  /**
   * A request in flight when the engine stopped counts as a failed attempt. In checkpoint mode
   * the app may still be running it: its item waits out the grace before it is dispatched
   * again, and a checkpoint from it meanwhile is saved and resets the attempts (see
   * checkpoint()); an item past its attempts is failed only when it comes due (execute()).
   */
  private async recoverInterrupted(item: InterruptedItem) {
    if (this.config.checkpointing) {
      const retrying = item.attempt + 1 < item.max_attempts;
      const delayMs = Math.max(
        retrying ? this.backoffMs(item.attempt) : 0,
        this.config.interruptedRequestGraceMs,
      );
      await requeueInterrupted(this.sql, item.id, new Date(Date.now() + delayMs));
      this.config.log({
        level: "warn",
        msg: "step.interrupted",
        run_id: item.run_id,
        step_id: item.step_id,
        retrying,
        grace_ms: delayMs,
      });
    } else if (item.attempt + 1 < item.max_attempts) {
      await requeueInterrupted(
        this.sql,
        item.id,
        new Date(Date.now() + this.backoffMs(item.attempt)),
      );
      this.config.log({
        level: "warn",
        msg: "step.interrupted",
        run_id: item.run_id,
        step_id: item.step_id,
        retrying: true,
      });
    } else {
      const run = await this.loadRun(item.run_id);
      if (run) {
        this.config.log({
          level: "warn",
          msg: "step.interrupted",
          run_id: item.run_id,
          step_id: item.step_id,
          retrying: false,
        });
        await this.finalize(run, "Failed", INTERRUPTED_ERROR);
      }
    }
  }

  /**
   * Graceful: no new work; waits for SDK requests in flight to be recorded, then unleases the
   * rows written leased that were never sent, so the next start does not count them as
   * interrupted attempts.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.stopTimers();
    while (this.inFlight.size > 0 || this.queue.hasPlanned()) {
      const planned = this.queue.plannedDrained();
      await Promise.allSettled([...this.inFlight, ...(planned ? [planned] : [])]);
    }
    const unsent = this.queue.takeUnsent();
    if (unsent.length > 0) await unleaseUnsent(this.sql, unsent);
    this.stopped = true;
  }

  /** Abrupt, like SIGKILL: nothing more is written; in-flight responses are dropped. */
  crash(): void {
    this.stopped = true;
    this.stopTimers();
  }

  private stopTimers() {
    this.queue.clear();
    this.flow.stop();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.cronTimers.clear();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.orphanTimer) clearInterval(this.orphanTimer);
  }

  // ── registry ─────────────────────────────────────────────────────────────────

  private remember(slug: string, appName: string, version: number, config: FunctionConfig) {
    this.functions.set(slug, {
      slug,
      appName,
      version,
      config,
      maxAttempts: maxAttemptsOf(config),
    });
  }

  listFunctions(): RegisteredFunction[] {
    return [...this.functions.values()];
  }

  /** Upserts an app and replaces its function set; reschedules its crons. */
  async registerApp(
    appName: string,
    url: string,
    configs: FunctionConfig[],
  ): Promise<{ modified: boolean }> {
    if (!appName) throw new EventValidationError("appName is required");
    const checksum = createHash("sha256").update(JSON.stringify({ url, configs })).digest("hex");
    if ((await selectAppChecksum(this.sql, appName)) === checksum) return { modified: false };

    const slugs = configs.map((config) => config.id);
    const stored = await storeApp(this.sql, { name: appName, url, checksum }, configs, new Date());

    for (const [slug, fn] of this.functions)
      if (fn.appName === appName && !slugs.includes(slug)) this.functions.delete(slug);
    for (const fn of stored) this.remember(fn.slug, appName, fn.version, fn.config);
    this.cronTimers.disarm(
      (slug) => !this.functions.has(slug) || this.functions.get(slug)?.appName === appName,
    );
    const crons = await selectAppCrons(this.sql, appName);
    for (const cron of crons)
      this.scheduleCron(cron.function_slug, cron.expression, cron.next_tick);

    for (const line of flowControlWarnings(configs)) this.config.log(line);
    this.config.log({ level: "info", msg: "app.synced", app: appName, functions: slugs.length });
    return { modified: true };
  }

  // ── events ───────────────────────────────────────────────────────────────────

  /**
   * Stores events and routes them to triggers, waits and cancellations; returns internal ids.
   * The events, the runs they trigger and those runs' first queue rows are one statement.
   */
  async ingest(
    rawEvents: unknown[],
    options: { internal?: boolean; seed?: string | null } = {},
  ): Promise<string[]> {
    const events = parseEvents(rawEvents, options);
    if (events.length === 0) return [];
    const plan = this.planIngest(events);
    let outcome: IngestOutcome;
    try {
      outcome = await this.writers.ingest.write(plan.statement);
    } catch (error) {
      this.dropPlan(plan);
      throw error;
    }
    this.fault("ingest.stored");
    await this.afterIngest(plan, outcome);
    return events.map((item) => item.internalId);
  }

  /** Routes events to the functions they trigger, in memory: the runs an ingest statement creates. */
  private planIngest(events: PlannedEvent[], cron?: string): EnginePlan {
    const plan: EnginePlan = {
      statement: { ...emptyIngestPlan(), events },
      candidates: [],
      unknownInvokes: [],
    };
    const claimed = new Set<string>();
    for (const { internalId, event } of events) {
      const invokeResult = invokeResultOf(event);
      if (invokeResult) plan.statement.invokeResults.push({ ...invokeResult, eventId: internalId });
      for (const fn of this.routeTriggers(event, cron)) {
        const singleton = this.flow.singletonFor(fn, internalId, event);
        if (singleton === "skip") continue;
        const candidate = this.planRun(fn, internalId, [event], cron);
        // Two events of one send with the same id (or idempotency key): the first one wins.
        if (candidate.planned.dedupeKeys.some((key) => claimed.has(key))) {
          this.slots.releaseSlots(candidate.heldSlots);
          if (candidate.planned.leased) this.releasePlannedLeases(1);
          continue;
        }
        for (const key of candidate.planned.dedupeKeys) claimed.add(key);
        this.flow.claimSingleton(candidate, singleton);
        plan.candidates.push(candidate);
        plan.statement.runs.push(candidate.planned);
      }
      if (event.name === EVENTS.functionInvoked) {
        const target = (event.data._inngest as { fn_id?: string } | undefined)?.fn_id;
        if (target && !this.functions.has(target))
          plan.unknownInvokes.push({ internalId, event, target });
      }
    }
    return plan;
  }

  private routeTriggers(event: InngestEvent, cron?: string): RegisteredFunction[] {
    if (cron !== undefined) return [];
    if (event.name === EVENTS.functionInvoked) {
      const target = (event.data._inngest as { fn_id?: string } | undefined)?.fn_id;
      const fn = target ? this.functions.get(target) : undefined;
      return fn ? [fn] : [];
    }
    return [...this.functions.values()].filter((fn) =>
      fn.config.triggers.some(
        (trigger) =>
          trigger.event !== undefined &&
          nameMatches(trigger.event, event.name) &&
          (!trigger.expression || expressionMatches(trigger.expression, { event })),
      ),
    );
  }

  /** A planned run whose statement failed or was not needed gives its slots back. */
  private dropPlan(plan: EnginePlan) {
    for (const candidate of plan.candidates) {
      this.flow.singletons.release(candidate.planned.runId, candidate.singleton?.previous);
      this.slots.releaseSlots(candidate.heldSlots);
      if (candidate.planned.leased) this.releasePlannedLeases(1);
    }
  }

  /** After an ingest statement committed: runs into memory and the scheduler, then waits. */
  private async afterIngest(plan: EnginePlan, outcome: IngestOutcome | undefined) {
    const created = new Map((outcome?.runs ?? []).map((row) => [row.run_id, row]));
    const inserted = new Map(
      (outcome?.events ?? []).map((row) => [row.internal_id, Number(row.seq)]),
    );
    for (const candidate of plan.candidates) {
      const row = created.get(candidate.planned.runId);
      if (!row) {
        this.flow.singletons.release(candidate.planned.runId, candidate.singleton?.previous);
        this.slots.releaseSlots(candidate.heldSlots);
        if (candidate.planned.leased) this.releasePlannedLeases(1);
        if (inserted.has(candidate.planned.eventId)) {
          this.config.log({
            level: "info",
            msg: "run.skipped",
            function: candidate.fn.slug,
            event_id: candidate.planned.eventId,
            reason: "dedupe or idempotency",
          });
        }
        continue;
      }
      if (candidate.singleton?.cancelPrevious && candidate.singleton.previous !== undefined)
        await this.flow.cancelSingletonHolder(
          candidate.singleton.previous,
          candidate.planned.runId,
        );
      this.startRun(candidate, row);
    }
    for (const row of outcome?.resumed ?? []) {
      // An invoked child finished: its result is on the wait; the timeout row now resumes the run.
      this.unschedule(Number(row.id));
      this.schedule({
        id: Number(row.id),
        runId: row.run_id,
        kind: "wait-timeout",
        stepId: row.step_id,
        attempt: row.attempt,
        waitId: Number(row.wait_id),
        runAt: Date.now(),
      });
    }
    for (const { internalId, event } of plan.statement.events) {
      const seq = inserted.get(internalId);
      // A resend of an already stored (seeded) event was routed with the statement that stored it.
      if (seq !== undefined) await this.routeWaits(seq, event);
    }
    for (const { internalId, event, target } of plan.unknownInvokes)
      if (inserted.has(internalId)) await this.failInvocation(event, target);
  }

  /** Waits and cancellations an event resolves (reads first; only a match writes). */
  private async routeWaits(seq: number, event: InngestEvent): Promise<void> {
    const waits = !this.waitedNames.has(event.name)
      ? []
      : await selectWaitsFor(this.sql, event.name, seq);
    for (const wait of waits) {
      const run = await this.getRun(wait.run_id);
      if (!run || run.status !== "Running") continue;
      if (
        wait.expression &&
        !expressionMatches(wait.expression, { event: run.events[0], async: event })
      )
        continue;
      if (!(await consumeWait(this.sql, wait.id))) continue;
      if (wait.kind === "cancel") await this.cancel(run, "cancelOn event");
      else if (wait.step_id)
        await this.resolveStep(run, wait.step_id, toEventMap(event), Number(wait.id));
    }
  }

  /** An invoke of an unknown function resolves the caller with an error, as the Go server does. */
  private async failInvocation(event: InngestEvent, target: string) {
    const correlationId = (event.data._inngest as { correlation_id?: string }).correlation_id;
    await this.ingest(
      [
        {
          name: EVENTS.functionFinished,
          data: {
            function_id: target,
            correlation_id: correlationId,
            error: { name: "Error", message: `could not find function with ID: ${target}` },
          },
        },
      ],
      { internal: true },
    );
  }

  // ── runs ─────────────────────────────────────────────────────────────────────

  /** A run of `fn` for the event, decided in memory; the ingest statement inserts it. */
  private planRun(
    fn: RegisteredFunction,
    internalId: string,
    events: InngestEvent[],
    cron?: string,
  ): RunCandidate {
    const [event] = events;
    const dedupeKeys = dedupeKeysOf(fn, event);
    const cancels = cancelWaitsOf(fn, Date.now());
    const concurrency = event ? concurrencySlotsOf(fn, event) : [];
    for (const cancel of cancels) this.waitedNames.add(cancel.eventName);
    // A throttled start waits for its turn in process(): it is neither leased nor given slots ahead.
    const dispatchable = !throttleConfigOf(fn.config) && this.canDispatchNow(undefined, Date.now());
    const heldSlots = dispatchable && this.slots.acquireAhead(concurrency) ? concurrency : [];
    const leased = dispatchable && (concurrency.length === 0 || heldSlots.length > 0);
    if (leased) this.queue.reservePlanned(1);
    return {
      fn,
      concurrency,
      heldSlots,
      planned: {
        runId: newUlid(),
        eventId: internalId,
        slug: fn.slug,
        version: fn.version,
        events,
        maxAttempts: fn.maxAttempts,
        concurrency: JSON.stringify(concurrency),
        cron: cron ?? null,
        dedupeKeys,
        cancels,
        leased,
      },
    };
  }

  /** A run its ingest statement created: into memory and onto the scheduler. */
  private startRun(candidate: RunCandidate, row: { seq: string; queue_id: string }) {
    const { fn, planned } = candidate;
    const run = newRunState(
      candidate,
      Number(row.seq),
      Date.now(),
      this.flow.priorityScoreOf(fn, planned.events[0], Date.now(), planned.runId),
    );
    this.runs.set(run.id, run);
    this.flow.deadlines.waiting(run.id, timeoutLimitsOf(fn.config), run.enqueuedAt);
    this.config.log({
      level: "info",
      msg: "run.started",
      run_id: run.id,
      function: fn.slug,
      event: planned.events[0]?.name,
    });
    const item: QueueItem = {
      id: Number(row.queue_id),
      runId: run.id,
      kind: "execute",
      stepId: DISCOVERY_STEP,
      attempt: 0,
      waitId: null,
      runAt: Date.now(),
      leased: planned.leased,
      ...(planned.leased ? { leaseGen: 1 } : {}),
    };
    if (candidate.heldSlots.length > 0) this.slots.holdSlots(item, candidate.heldSlots);
    if (planned.leased) this.adoptLease(item);
    this.schedule(item);
  }

  private async loadRun(id: string): Promise<RunState | undefined> {
    const row = await selectRun(this.sql, id);
    if (!row) return undefined;
    // The priority score is evaluated again from the trigger and the function as registered now.
    return runStateFromRow(
      row,
      this.flow.priorityScoreOf(
        this.functions.get(row.function_slug),
        row.events[0],
        row.started_at.getTime(),
        row.id,
      ),
    );
  }

  /** The run's one RunState: concurrent callers share a load in progress, never two copies. */
  private getRun(id: string): Promise<RunState | undefined> {
    const cached = this.runs.get(id);
    if (cached) return Promise.resolve(cached);
    const loading = this.loadingRuns.get(id);
    if (loading) return loading;
    const load = this.loadRun(id)
      .then((run) => {
        if (run?.status === "Running" && !this.runs.has(id)) this.runs.set(id, run);
        return run?.status === "Running" ? this.runs.get(id) : run;
      })
      .finally(() => this.loadingRuns.delete(id));
    this.loadingRuns.set(id, load);
    return load;
  }

  /**
   * Saves the run's new steps, removes the consumed queue item (and a consumed wait's
   * timeout), adds the next items with their waits, and stores the `step.invoke` events
   * (`emit`) with the child runs they start — one statement, so one round trip. A run keeps
   * its concurrency slots for its own next call, or hands them to the waiter next in line,
   * whose lease rides along (see handOffSlots).
   */
  private async persist(
    run: RunState,
    change: {
      consumedQueueId?: number;
      consumedWaitId?: number;
      next: NewQueueItem[];
      emit?: unknown[];
    },
  ) {
    const { next } = change;
    const now = Date.now();
    const nextCall = next.find((item) => item.kind === "execute" && item.runAt <= now);
    // Only the call whose response this is hands its slots on (a resolved wait has none).
    const handOff =
      change.consumedQueueId === undefined
        ? null
        : this.slots.handOffSlots(run, change.consumedQueueId, nextCall);
    const slotsLeft = this.markLeased(run, next, handOff, now);
    const leaseWaiter = handOff?.waiter !== undefined && slotsLeft > 0;
    const leases = next.filter((item) => item.leased).length + (leaseWaiter ? 1 : 0);
    this.queue.reservePlanned(leases);
    const plan = this.planIngest(
      change.emit?.length
        ? parseEvents(change.emit, { internal: true }).map((item) => ({
            ...item,
            owner: run.id,
          }))
        : [],
    );
    const from = run.storedSteps;
    const ids = run.stack.slice(from);
    run.storedSteps = run.stack.length;
    const defers = this.takeUnsavedDefers(run);
    const waiter = leaseWaiter ? handOff?.waiter : undefined;
    let result: PersistOutcome;
    const counts = this.persistCountsOf(run);
    counts.inFlight++;
    counts.started++;
    try {
      result = await this.writers.persist.write({
        runId: run.id,
        steps: this.stepsDelta(run, ids),
        ids,
        pending: [...run.pending],
        forceStepPlan: run.forceStepPlan,
        defers: JSON.stringify(defers),
        consumedQueueId: change.consumedQueueId ?? null,
        consumedWaitId: change.consumedWaitId ?? null,
        next,
        waiterQueueId: waiter?.id ?? null,
        waiterRunId: waiter?.runId,
        plan: plan.statement,
      });
    } catch (error) {
      run.unsavedDefers = { ...defers, ...run.unsavedDefers };
      this.abandonPersist(run, from, leases, plan, handOff);
      // The connection dropped: the statement may have committed rows nothing else schedules.
      if (!refusedByServer(error))
        this.track(this.adoptLostPersistRows(run), "run.lost_persist_read_failed", run.id);
      throw error;
    } finally {
      counts.inFlight--;
    }
    if (change.emit?.length) this.fault("invoke.persisted");
    if (result.updated) this.config.faults?.stepsWritten?.(run.id, ids);
    for (const id of result.deleted) this.unschedule(id);
    if (!result.updated) {
      this.abandonPersist(run, from, leases, plan, handOff);
      await this.forgetIfEnded(run);
      return;
    }
    const scheduled = this.insertedItems(run, next, result.inserted);
    const adopted = scheduled.filter((item) => item.leased);
    for (const item of adopted) this.queue.markUnsent(item);
    if (leaseWaiter && handOff?.waiter && result.handoffGen !== null)
      this.queue.markUnsent(handOff.waiter);
    this.releasePlannedLeases(leases);
    if (handOff) this.slots.completeHandOff(handOff, scheduled, result.handoffGen);
    for (const item of scheduled) this.schedule(item);
    await this.afterIngest(plan, result);
  }

  private persistCountsOf(run: RunState) {
    let counts = this.persistCounts.get(run);
    if (!counts) {
      counts = { inFlight: 0, started: 0 };
      this.persistCounts.set(run, counts);
    }
    return counts;
  }

  /**
   * After a persist whose answer was lost (it may have committed): the run's queue rows the
   * engine does not hold are the rows that persist inserted, and nothing else would schedule
   * them while the run is in memory (the orphan scan passes runs held in memory). Read while
   * none of the run's persists is in flight — a row another persist committed is scheduled by
   * its own answer — and re-read if one began meanwhile; each row not held is scheduled once.
   */
  private async adoptLostPersistRows(run: RunState): Promise<void> {
    const counts = this.persistCountsOf(run);
    for (;;) {
      if (this.stopped || this.closing || this.runs.get(run.id) !== run) return;
      if (counts.inFlight > 0) {
        await new Promise((resolve) => setTimeout(resolve, LOST_PERSIST_RECHECK_MS));
        continue;
      }
      const started = counts.started;
      const rows = await selectRunQueueItems(this.sql, run.id);
      if (this.stopped || this.closing || this.runs.get(run.id) !== run) return;
      if (counts.inFlight > 0 || counts.started !== started) continue;
      for (const row of rows) {
        const id = Number(row.id);
        if (this.holdsQueueRow(run, id)) continue;
        this.config.log({
          level: "warn",
          msg: "run.lost_persist_scheduled",
          run_id: run.id,
          step_id: row.step_id,
        });
        this.schedule({
          id,
          runId: run.id,
          kind: row.kind,
          stepId: row.step_id,
          attempt: row.attempt,
          waitId: row.wait_id === null ? null : Number(row.wait_id),
          runAt: row.run_at.getTime(),
        });
      }
      return;
    }
  }

  /** Whether the engine holds this queue row: scheduled, due, being processed or waiting for a slot. */
  private holdsQueueRow(run: RunState, queueId: number): boolean {
    if (run.queueIds.has(queueId) || this.timers.has(queueId) || this.queue.has(queueId))
      return true;
    for (const item of this.processing) if (item.id === queueId) return true;
    return this.slots.isWaiting(queueId);
  }

  /** Background work close() waits for; its failure is logged as `msg`. */
  private track(work: Promise<void>, msg: string, runId: string) {
    const tracked = work
      .catch((error: unknown) => this.logError(msg, error, { run_id: runId }))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /**
   * Marks the run's next items: which one keeps the run's concurrency slots (the hand-off's
   * `keep`) and which are written leased (due calls that may run now, within the free request
   * slots). Registers their waits' event names. Returns the request slots left.
   */
  private markLeased(
    run: RunState,
    next: NewQueueItem[],
    handOff: SlotHandOff | null,
    now: number,
  ): number {
    let dispatchable = this.canDispatchNow(undefined, now) ? this.queue.freeSlots() : 0;
    for (const item of next) {
      if (item.wait?.eventName) this.waitedNames.add(item.wait.eventName);
      const due = item.kind === "execute" && item.runAt <= now;
      item.holdsSlots = handOff?.keep === item;
      item.leased = due && (run.concurrency.length === 0 || item.holdsSlots) && dispatchable-- > 0;
    }
    return dispatchable;
  }

  /** A persist that failed or changed nothing: its steps are unsaved, its leases, plan and hand-off given back. */
  private abandonPersist(
    run: RunState,
    from: number,
    leases: number,
    plan: EnginePlan,
    handOff: SlotHandOff | null,
  ) {
    run.storedSteps = Math.min(run.storedSteps, from);
    this.releasePlannedLeases(leases);
    this.dropPlan(plan);
    if (handOff) this.slots.cancelHandOff(handOff);
  }

  /** The queue items of the rows a persist inserted, from the next items they were written for. */
  private insertedItems(
    run: RunState,
    next: NewQueueItem[],
    inserted: PersistOutcome["inserted"],
  ): QueueItem[] {
    const scheduled: QueueItem[] = [];
    for (const row of inserted) {
      const item = next.find(
        (candidate) => candidate.stepId === row.step_id && candidate.kind === row.kind,
      );
      if (!item) continue;
      scheduled.push({
        id: Number(row.id),
        runId: run.id,
        kind: item.kind,
        stepId: item.stepId,
        attempt: item.attempt,
        waitId: row.wait_id,
        runAt: item.runAt,
        leased: item.leased,
        holdsSlots: item.holdsSlots,
        ...(item.leased ? { leaseGen: 1 } : {}),
      });
    }
    return scheduled;
  }

  /** `{id: value}` of the given new steps: each value serialized once, here. */
  private stepsDelta(run: RunState, ids: string[]): string {
    return `{${ids.map((id) => `${JSON.stringify(id)}:${JSON.stringify(run.steps[id] ?? null)}`).join(",")}}`;
  }

  private discovery(): NewQueueItem {
    return { kind: "execute", stepId: DISCOVERY_STEP, attempt: 0, runAt: Date.now() };
  }

  /** A step's value arrived (sleep ended, wait matched or timed out, invoke finished). */
  private async resolveStep(
    run: RunState,
    stepId: string,
    value: unknown,
    consumedWaitId?: number,
    consumedQueueId?: number,
  ) {
    if (stepId in run.steps) return;
    run.steps[stepId] = value;
    run.stack.push(stepId);
    run.pending.delete(stepId);
    const next: NewQueueItem[] = [];
    // A parallel group that ends here keeps `forceStepPlan` for the discovery that follows, as
    // Go's sleep and wait resumes send it with the run's metadata loaded before the reset: the
    // SDK plans the next step instead of running it inline; the step's result then clears it.
    if (run.pending.size === 0) next.push(this.discovery());
    await this.persist(run, { consumedQueueId, consumedWaitId, next });
  }

  /**
   * Ends the run: its status, its last steps, its queue rows and waits, its lifecycle events
   * with the runs they trigger (an `onFailure` run) and the invoking run's result — one
   * statement, so a crash loses none of them. A run that ends itself hands its slots to the
   * waiter next in line, lease included.
   */
  private async finalize(
    run: RunState,
    status: "Completed" | "Failed" | "Cancelled",
    output: unknown,
  ): Promise<boolean> {
    // A checkpoint that committed just before may carry defers the run in memory lacks yet.
    // (A checkpoint never waits for a finalize, so this cannot deadlock.)
    const checkpoint = this.checkpoints.inFlight(run.id);
    if (checkpoint) await checkpoint;
    const lifecycle = [...lifecycleEvents(run, status, output), ...this.deferredEvents(run)];
    const plan = this.planIngest(
      parseEvents(lifecycle, { internal: true }).map((item) => ({ ...item, owner: run.id })),
    );
    // A cancel comes from outside the run's own request, which keeps its slots until it ends.
    const handOff = status === "Cancelled" ? null : this.slots.handOffSlots(run, "only", undefined);
    const leaseWaiter = handOff?.waiter !== undefined && this.canDispatchNow(undefined, Date.now());
    if (leaseWaiter) this.queue.reservePlanned(1);
    const ids = run.stack.slice(run.storedSteps);
    const defers = this.takeUnsavedDefers(run);
    const waiter = leaseWaiter ? handOff?.waiter : undefined;
    let result: FinalizeOutcome;
    try {
      result = await this.writers.finalize.write({
        runId: run.id,
        status,
        output: JSON.stringify(output ?? null),
        steps: this.stepsDelta(run, ids),
        ids,
        defers: JSON.stringify(defers),
        waiterQueueId: waiter?.id ?? null,
        waiterRunId: waiter?.runId,
        plan: plan.statement,
      });
    } catch (error) {
      run.unsavedDefers = { ...defers, ...run.unsavedDefers };
      this.abandonFinalize(leaseWaiter, plan, handOff);
      // The connection dropped: the statement may have committed, and then nothing retries it.
      if (!refusedByServer(error))
        await this.forgetIfEnded(run).catch((readError: unknown) =>
          this.logError("run.status_unknown", readError, { run_id: run.id }),
        );
      throw error;
    }
    if (!result.finished) {
      this.abandonFinalize(leaseWaiter, plan, handOff);
      // Ended by an earlier finalize whose answer was lost, if not by one that forgot it already.
      await this.forgetIfEnded(run);
      return false;
    }
    this.fault("finalize.stored");
    this.config.faults?.stepsWritten?.(run.id, ids);
    run.storedSteps = run.stack.length;
    this.forgetEnded(run, status);
    if (leaseWaiter && handOff?.waiter && result.handoffGen !== null)
      this.queue.markUnsent(handOff.waiter);
    if (leaseWaiter) this.releasePlannedLeases(1);
    if (handOff) this.slots.completeHandOff(handOff, [], result.handoffGen);
    this.config.log({
      level: status === "Failed" ? "warn" : "info",
      msg: `run.${status.toLowerCase()}`,
      run_id: run.id,
      function: run.functionSlug,
    });
    await this.afterIngest(plan, result);
    return true;
  }

  /** A finalize that failed or found the run ended: its lease, plan and hand-off are given back. */
  private abandonFinalize(leaseWaiter: boolean, plan: EnginePlan, handOff: SlotHandOff | null) {
    if (leaseWaiter) this.releasePlannedLeases(1);
    this.dropPlan(plan);
    if (handOff) this.slots.cancelHandOff(handOff);
  }

  /** The run ended: out of memory, its queue items, deadlines, locks and waiting calls with it. */
  private forgetEnded(run: RunState, status: RunState["status"]) {
    run.status = status;
    this.flow.deadlines.forget(run.id);
    for (const queueId of run.queueIds) this.unschedule(queueId);
    this.runs.delete(run.id);
    this.releaseWaiting(run.id);
  }

  /**
   * The `inngest/deferred.schedule` events of the run's `AfterRun` defers, sent by its finalize
   * statement (so each deferred run starts exactly once). The event id derives from the parent
   * run and the defer, as Go's `DeferEventID`. A defer whose sessions do not merge is dropped,
   * never failing the parent, as in Go.
   */
  private deferredEvents(run: RunState): unknown[] {
    const parent = {
      runId: run.id,
      functionSlug: run.functionSlug,
      appName: this.functions.get(run.functionSlug)?.appName ?? "",
    };
    return deferredScheduleEvents(parent, run.defers).flatMap((event) => {
      const deferId = String((event.data._inngest as { defer_id: string }).defer_id);
      try {
        return [{ ...event, id: `${run.id}-defer-${deferId}`, meta: resolveEventMeta(event.meta) }];
      } catch (error) {
        this.logError("defer.dropped", error, { run_id: run.id, defer_id: deferId });
        return [];
      }
    });
  }

  /** Records a response's defer ops on the run; the next persist or finalize stores them. */
  private recordDefers(run: RunState, ops: readonly Op[]) {
    const delta = applyDeferOps(run.defers, ops);
    Object.assign(run.defers, delta);
    Object.assign(run.unsavedDefers, delta);
  }

  /** The defers a statement is about to store (given back to the run if it fails). */
  private takeUnsavedDefers(run: RunState): Defers {
    const defers = run.unsavedDefers;
    run.unsavedDefers = {};
    return defers;
  }

  async cancel(run: RunState, reason: string): Promise<boolean> {
    const cancelled = await this.finalize(run, "Cancelled", null);
    if (cancelled)
      this.config.log({ level: "info", msg: "run.cancel_requested", run_id: run.id, reason });
    return cancelled;
  }

  async cancelRunById(runId: string): Promise<"cancelled" | "not_found" | "not_running"> {
    const run = await this.getRun(runId);
    if (!run) return "not_found";
    if (run.status !== "Running") return "not_running";
    return (await this.cancel(run, "REST")) ? "cancelled" : "not_running";
  }

  async cancelMany(filter: {
    functionSlug: string;
    startedBefore: Date;
    startedAfter?: Date;
    expression?: string;
  }): Promise<number> {
    const rows = await selectRunningRunIds(this.sql, filter);
    let count = 0;
    for (const { id } of rows) {
      const run = await this.getRun(id);
      if (!run || run.status !== "Running") continue;
      if (filter.expression && !expressionMatches(filter.expression, { event: run.events[0] }))
        continue;
      if (await this.cancel(run, "bulk cancellation")) count++;
    }
    return count;
  }

  // ── scheduling ───────────────────────────────────────────────────────────────

  private schedule(item: QueueItem) {
    // While closing, follow-up work stays in the database for the next start.
    if (this.stopped || this.closing) return;
    const run = this.runs.get(item.runId);
    run?.queueIds.add(item.id);
    const delay = item.runAt - Date.now();
    if (delay <= 0) {
      this.queue.push(item);
      this.pump();
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(item.id);
        this.queue.push(item);
        this.pump();
      },
      Math.min(delay, 2_147_000_000),
    );
    this.timers.set(item.id, timer);
  }

  private unschedule(queueId: number) {
    const timer = this.timers.get(queueId);
    if (timer) clearTimeout(timer);
    this.timers.delete(queueId);
    const removed = this.queue.remove(queueId);
    if (!removed) return;
    // An item dropped before dispatch gives back the slots it was handed, and its request slot.
    if (removed.freedSlot) this.pump();
    this.slots.release(removed.item);
  }

  private pump() {
    while (!this.stopped && !this.closing && this.queue.length > 0) {
      // With every free slot promised, only an item written leased (it holds one) may go.
      const item = this.queue.take();
      if (!item) break;
      this.processing.add(item);
      const work = this.process(item)
        .catch((error: unknown) => {
          // The item is still in the database; try it again shortly (steps are at-least-once).
          this.logError("queue.item_failed", error, { run_id: item.runId, step_id: item.stepId });
          this.schedule({ ...item, runAt: Date.now() + 1_000 });
        })
        .finally(() => {
          this.processing.delete(item);
          this.queue.finished();
          this.inFlight.delete(work);
          this.pump();
        });
      this.inFlight.add(work);
    }
  }

  private fault(point: EngineFaultPoint) {
    this.config.faults?.[point]?.();
  }

  /**
   * A run this engine still holds as running, but whose finalize may have committed unseen (the
   * connection dropped before the answer): if the database says it ended, it is forgotten as a
   * finalize forgets it, so its singleton lock, deadlines, throttle entry and output tally are
   * not kept until restart.
   */
  private async forgetIfEnded(run: RunState): Promise<void> {
    if (this.stopped || this.runs.get(run.id) !== run) return;
    const status = await selectRunStatus(this.sql, run.id);
    if (status === "Running" || this.runs.get(run.id) !== run) return;
    // No row: pruned, so it ended long ago.
    this.forgetEnded(run, status ?? "Cancelled");
    this.config.log({
      level: "warn",
      msg: "run.ended_unobserved",
      run_id: run.id,
      function: run.functionSlug,
      status: run.status,
    });
  }

  /** Drops a finished run's items that were waiting for a concurrency slot. */
  private releaseWaiting(runId: string) {
    this.flow.forget(runId);
    this.slots.dropWaiting(runId);
  }

  /**
   * Whether an execute item queued now goes straight to an SDK request. Such items are stored
   * already leased, saving a round trip per call; if the engine dies in the moment between,
   * the attempt is counted though the request was never sent — the safe side of the trade,
   * since a step is never run twice uncounted.
   */
  private canDispatchNow(run: RunState | undefined, runAt: number): boolean {
    return (
      !this.closing &&
      runAt <= Date.now() &&
      (run?.concurrency.length ?? 0) === 0 &&
      this.queue.canLeaseAhead()
    );
  }

  /** The statement that was to write these rows leased committed (they are in `unsent` now) or failed. */
  private releasePlannedLeases(count: number) {
    if (this.queue.releasePlanned(count)) this.pump();
  }

  /** A run's first call, written leased: it keeps its request slot until it is sent. */
  private adoptLease(item: QueueItem) {
    this.queue.markUnsent(item);
    this.releasePlannedLeases(1);
  }

  private backoffMs(attempt: number): number {
    return this.config.retryIntervalSeconds !== undefined
      ? this.config.retryIntervalSeconds * 1000
      : defaultBackoffMs(attempt);
  }

  // ── the run loop ─────────────────────────────────────────────────────────────

  private async process(item: QueueItem): Promise<void> {
    const run = await this.getRun(item.runId);
    if (!run || run.status !== "Running") {
      this.slots.release(item);
      return;
    }
    run.queueIds.delete(item.id);

    if (item.kind === "sleep") return this.resolveStep(run, item.stepId, null, undefined, item.id);
    if (item.kind === "wait-timeout") {
      const wait = await takeWait(this.sql, item.waitId ?? -1);
      if (!wait) return;
      // An invoke wait holds the child's result once the child finished (see ingestCtes).
      const value = wait.result ?? (wait.kind === "invoke" ? INVOKE_TIMEOUT_ERROR : null);
      return this.resolveStep(run, item.stepId, value, undefined, item.id);
    }

    const fn = this.functions.get(run.functionSlug);
    if (!fn) {
      this.slots.release(item);
      await this.finalize(run, "Failed", {
        name: "Error",
        message: `function ${run.functionSlug} is no longer registered`,
      });
      return;
    }
    if (!this.flow.admitThrottled(run, fn, item)) return;
    if (!this.slots.holdsSlots(item) && !this.slots.tryAcquire(run, item)) return;
    try {
      await this.execute(run, fn, item);
    } finally {
      this.slots.release(item);
    }
  }

  /**
   * Leases the item for one dispatch and returns its lease generation (the `qi_id`'s): each
   * dispatch takes a new one, so a checkpoint from an earlier request of the same item is
   * fenced off. Reads the attempt back, as a checkpoint from an interrupted request may have
   * reset it. Null when the item is gone (its run ended).
   */
  private async lease(item: QueueItem): Promise<number | null> {
    if (item.leased && !item.dispatched) {
      item.dispatched = true;
      return item.leaseGen ?? 0;
    }
    const lease = await this.writers.lease.write(item.id);
    if (!lease) return null;
    item.dispatched = true;
    item.attempt = lease.attempt;
    return lease.leaseGen;
  }

  private async execute(run: RunState, fn: RegisteredFunction, item: QueueItem): Promise<void> {
    if (!(await this.flow.beginRequestClock(run, fn))) return;
    const leaseGen = await this.lease(item);
    if (leaseGen === null) {
      // The item is gone: perhaps with its run, by a finalize whose answer was lost.
      await this.forgetIfEnded(run);
      return;
    }
    // A checkpoint committed just before this lease is in the state this request carries.
    await this.checkpoints.inFlight(run.id);
    if (this.stopped || run.status !== "Running") return;
    if (item.attempt >= run.maxAttempts) {
      // Interrupted by a restart with no attempts left, and no checkpoint came from that request.
      await this.finalize(run, "Failed", INTERRUPTED_ERROR);
      return;
    }
    const dispatch: Dispatch = { item, leaseGen, fenced: false };
    this.checkpoints.beginDispatch(dispatch);
    try {
      await this.dispatch(run, fn, item, dispatch);
    } finally {
      this.checkpoints.endDispatch(dispatch);
    }
  }

  private async dispatch(
    run: RunState,
    fn: RegisteredFunction,
    item: QueueItem,
    dispatch: Dispatch,
  ): Promise<void> {
    const response = await callSdk(this.config, run, fn, item, dispatch.leaseGen);
    // A fenced request (its checkpoint got 409) answers with the SDK's stale-dispatch error.
    if (this.stopped || run.status !== "Running" || dispatch.fenced) return;

    if (
      response instanceof Error ||
      !response.fromSdk ||
      (response.status !== 200 && response.status !== 206)
    ) {
      await this.requestFailed(run, item, response);
      return;
    }

    if (response.status === 200) {
      await this.finalize(run, "Completed", parseJson(response.body));
      return;
    }
    await this.applyOps(run, item, response);
  }

  /** The request failed (no answer, or an error answer): retried if attempts remain, else the run fails. */
  private async requestFailed(run: RunState, item: QueueItem, response: SdkResponse | Error) {
    const noRetry =
      !(response instanceof Error) &&
      response.fromSdk &&
      response.headers.get("x-inngest-no-retry") === "true";
    const output = response instanceof Error ? serializeError(response) : parseJson(response.body);
    if (!noRetry && item.attempt + 1 < run.maxAttempts) {
      const delay =
        (!(response instanceof Error) &&
          retryAfterMs(response.headers.get("retry-after"), Date.now())) ||
        this.backoffMs(item.attempt);
      this.config.log({
        level: "warn",
        msg: "step.retry",
        run_id: run.id,
        step_id: item.stepId,
        attempt: item.attempt + 1,
      });
      await this.persist(run, {
        consumedQueueId: item.id,
        next: [
          {
            kind: "execute",
            stepId: item.stepId,
            attempt: item.attempt + 1,
            runAt: Date.now() + delay,
          },
        ],
      });
      return;
    }
    await this.finalize(run, "Failed", output);
  }

  private async applyOps(run: RunState, item: QueueItem, response: SdkResponse): Promise<void> {
    const parsed = parseJson(response.body);
    const ops = (Array.isArray(parsed) ? parsed : []) as Op[];
    await saveOpMetadata(this.sql, run.id, ops, this.config.log);
    // Lazy ops first, as Go's op groups do: a RunComplete beside them sends their runs.
    this.recordDefers(run, ops);
    const active = ops.filter((op) => !LAZY_OPS.has(op.op));
    if (active.length > 1) run.forceStepPlan = true;
    const now = Date.now();
    const tooLarge = await this.flow.checkOutputLimits(run, active);
    if (!tooLarge) return;

    const plan = planOps({
      run,
      attempt: item.attempt,
      ops: active,
      noRetry: response.headers.get("x-inngest-no-retry") === "true",
      retryAfter: response.headers.get("retry-after"),
      now,
      tooLarge,
      stepBytesLimit: this.outputLimits().stepBytes,
    });
    for (const op of plan.unsupported)
      this.config.log({ level: "warn", msg: "op.unsupported", run_id: run.id, op });
    for (const id of plan.waiting) run.pending.add(id);
    for (const { id, value } of plan.saves) {
      run.steps[id] = value;
      run.stack.push(id);
      run.pending.delete(id);
    }
    const { end } = plan;
    if (end.kind === "retry") {
      this.config.log({
        level: "warn",
        msg: "step.retry",
        run_id: run.id,
        step_id: end.opId,
        attempt: item.attempt + 1,
      });
      const delay = end.retryAfterMs ?? this.backoffMs(item.attempt);
      const retry: NewQueueItem = {
        kind: "execute",
        stepId: item.stepId,
        attempt: item.attempt + 1,
        runAt: now + delay,
      };
      await this.persist(run, { consumedQueueId: item.id, next: [retry] });
      return;
    }
    if (end.kind === "finalize") {
      await this.finalize(run, end.status, end.output);
      return;
    }
    const next = end.rediscover ? [...end.next, this.discovery()] : end.next;
    if (end.stepPlanDone) run.forceStepPlan = false;
    // The invoke events go in the statement that stores their waits: the child always exists
    // once the wait does, and its completion always finds the wait.
    await this.persist(run, { consumedQueueId: item.id, next, emit: end.emit });
  }

  // ── checkpoints ──────────────────────────────────────────────────────────────

  /** `POST /v1/checkpoint/:runId/async` (checkpoint-handler.ts). */
  checkpoint(runId: string, body: CheckpointBody): Promise<CheckpointOutcome> {
    return this.checkpoints.checkpoint(runId, body);
  }

  // ── cron ─────────────────────────────────────────────────────────────────────

  private scheduleCron(slug: string, expression: string, tick: Date) {
    if (this.stopped || this.closing) return;
    this.cronTimers.arm(slug, expression, tick.getTime() - Date.now(), () => {
      void this.fireCron(slug, expression, tick).catch((error: unknown) =>
        this.logError("cron.failed", error, { function: slug }),
      );
    });
  }

  /**
   * One run per tick: the tick is the event id, and the run is deduplicated by it. The
   * `next_tick` advance, the tick's event and its run are one statement.
   */
  private async fireCron(slug: string, expression: string, tick: Date) {
    const fn = this.functions.get(slug);
    if (!fn || this.stopped) return;
    const now = new Date();
    const next = nextCronTick(expression, now > tick ? now : tick);
    const scheduledAt = tick.toISOString().replace(/\.\d{3}Z$/, "Z");
    const [event] = parseEvents(
      [
        {
          name: EVENTS.scheduledTimer,
          id: scheduledAt,
          data: { cron: expression, scheduledAt, fireAt: now.toISOString() },
          ts: now.getTime(),
        },
      ],
      { internal: true },
    );
    const plan = this.planIngest(event ? [event] : [], expression);
    const singleton = event ? this.flow.singletonFor(fn, event.internalId, event.event) : null;
    if (event && singleton !== "skip") {
      const candidate = this.planRun(fn, event.internalId, [event.event], expression);
      this.flow.claimSingleton(candidate, singleton);
      plan.candidates.push(candidate);
      plan.statement.runs.push(candidate.planned);
    }
    let result: ({ advanced: boolean } & IngestOutcome) | undefined;
    try {
      result = await advanceCron(
        this.sql,
        { slug, expression, tick, nextTick: next ?? new Date(now.getTime() + 3_600_000) },
        plan.statement,
      );
    } catch (error) {
      this.dropPlan(plan);
      // Nothing was written, so the tick is still due: try it again shortly.
      if (!this.stopped && !this.closing) {
        this.cronTimers.set(slug, expression, 1_000, () => {
          void this.fireCron(slug, expression, tick).catch((retryError: unknown) =>
            this.logError("cron.failed", retryError, { function: slug }),
          );
        });
      }
      throw error;
    }
    if (next) this.scheduleCron(slug, expression, next);
    if (result?.advanced) this.fault("cron.advanced");
    await this.afterIngest(plan, result);
  }

  private outputLimits(): OutputLimits {
    return this.config.outputLimits ?? DEFAULT_OUTPUT_LIMITS;
  }

  // ── housekeeping ─────────────────────────────────────────────────────────────

  private async prune() {
    const cutoff = new Date(Date.now() - this.config.historyRetentionHours * 3_600_000);
    await pruneHistory(this.sql, cutoff);
    await this.refreshWaitedNames();
  }

  private async refreshWaitedNames() {
    const known = new Set(this.waitedNames);
    const names = await selectWaitedNames(this.sql);
    // Names registered while the query ran stay: the set may over-approximate, never under.
    const fresh = new Set(names);
    for (const name of known) if (!fresh.has(name)) this.waitedNames.delete(name);
    for (const name of fresh) this.waitedNames.add(name);
  }

  private logError(msg: string, error: unknown, fields: Record<string, unknown> = {}) {
    if (this.stopped) return;
    this.config.log({
      level: "error",
      msg,
      error: error instanceof Error ? error.message : String(error),
      ...fields,
    });
  }
}
