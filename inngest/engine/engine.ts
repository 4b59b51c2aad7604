import { createHash, randomUUID } from "node:crypto";
import {
  refusedByServer,
  runKeys,
  writeCheckpoints,
  writeFinalizes,
  writeIngests,
  writeLeases,
  writePersists,
  type CheckpointWrite,
  type FinalizeOutcome,
  type FinalizeWrite,
  type LeaseOutcome,
  type PersistOutcome,
  type PersistWrite,
} from "./batched-writes";
import {
  parseQueueItemRef,
  planCheckpoint,
  queueItemRef,
  type CheckpointBody,
  type CheckpointOp,
} from "./checkpoint";
import { applyDeferOps, deferredScheduleEvents, sdkDefers, type Defers } from "./defer";
import { resolveDeadline } from "./durations";
import { evaluateKey, expressionMatches } from "./expressions";
import {
  singletonConfigOf,
  singletonKey,
  SingletonLocks,
  type SingletonMode,
} from "./flow-singleton";
import { throttleConfigOf, throttleKey, ThrottleGate } from "./flow-throttle";
import { GroupCommit } from "./group-commit";
import { priorityExpressionOf, priorityFactorSeconds, priorityScore } from "./flow-priority";
import {
  RunDeadlines,
  hasTimeouts,
  startExpired,
  timeoutLimitsOf,
  type TimeoutKind,
} from "./flow-timeouts";
import { invalidFlowControl } from "./flow-validation";
import { newUlid, seededUlids } from "./ids";
import { planOps } from "./op-planner";
import {
  checkOutputs,
  DEFAULT_OUTPUT_LIMITS,
  OutputTally,
  stateOverflowedError,
  type OutputLimits,
} from "./output-limits";
import {
  ORPHAN_SCAN_INTERVAL_MS,
  ORPHAN_SCAN_WINDOW_MS,
  planOrphans,
  scanQueueSince,
} from "./orphan-scan";
import { saveOpMetadata } from "./run-metadata";
import {
  DISCOVERY_STEP,
  EVENTS,
  INTERNAL_EVENT_PREFIX,
  LAZY_OPS,
  defaultBackoffMs,
  nameMatches,
  parseJson,
  readSdkResponse,
  retryAfterMs,
  type FunctionConfig,
  type InngestEvent,
  type Op,
  type SdkResponse,
} from "./protocol";
import {
  emptyIngestPlan,
  ingestKeys,
  ingestParts,
  invokeResultOf,
  type IngestOutcome,
  type IngestPlan,
  type PlannedEvent,
} from "./ingest-statement";
import { SessionsError, resolveEventMeta } from "./sessions";
import { appRequest } from "./signing";
import { SCHEMA, type Sql } from "./store";
import {
  EngineStoppedError,
  EventValidationError,
  type CheckpointOutcome,
  type Dispatch,
  type EngineConfig,
  type EngineFaultPoint,
  type EnginePlan,
  type NewQueueItem,
  type QueueItem,
  type QueueKind,
  type RegisteredFunction,
  type RunCandidate,
  type RunRow,
  type RunState,
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

// JSON goes to PostgreSQL as `${JSON.stringify(value)}::text::jsonb`: a parameter typed jsonb
// would make postgres.js encode the already-encoded string a second time.

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
  private readonly ready: QueueItem[] = [];
  /** Concurrency slots and their waiters (scheduler.ts); a freed slot's waiter goes on `ready`. */
  private readonly slots = new ConcurrencySlots(this.ready, () => this.pump(), this.runs);
  private readonly inFlight = new Set<Promise<void>>();
  /** SDK requests in flight, by queue item id. */
  private readonly dispatches = new Map<number, Dispatch>();
  /** Per run, the checkpoint being written: checkpoints of a run apply one at a time, and a dispatch waits for them. */
  private readonly checkpointWrites = new Map<string, Promise<unknown>>();
  /** Event names that may have a wait or cancellation registered: events with other names skip the lookup. */
  private readonly waitedNames = new Set<string>();
  private readonly singletons = new SingletonLocks();
  /** Runs whose start passed their throttle (a start handed back by the gate is not charged twice). */
  private readonly throttleAdmitted = new Set<string>();
  private readonly throttle = new ThrottleGate<QueueItem>((items) => {
    for (const item of items) {
      this.throttleAdmitted.add(item.runId);
      this.ready.push(item);
    }
    this.pump();
  });
  private readonly outputTally = new OutputTally();
  private activeRequests = 0;
  /**
   * Request slots promised to rows an in-flight statement writes leased (see canDispatchNow):
   * reserved in memory before the statement, so neither one plan nor concurrent plans lease
   * more rows than there are free slots.
   */
  private plannedLeases = 0;
  /** Queue items written leased and not yet sent, by id: each holds a request slot; close() unleases them. */
  private readonly unsent = new Map<number, QueueItem>();
  /** Resolved when `plannedLeases` drops to 0 (close() waits for it). */
  private plannedLeasesSettled: (() => void)[] = [];
  /** Runs being loaded from the database, so concurrent callers share one RunState (see getRun). */
  private readonly loadingRuns = new Map<string, Promise<RunState | undefined>>();
  /** `timeouts.start` / `timeouts.finish` deadlines of the runs in motion (flow-timeouts.ts). */
  private readonly deadlines = new RunDeadlines((runId, kind) => this.expireRun(runId, kind));
  private stopped = false;
  /** Set by close(): requests in flight finish and are recorded; nothing new is sent. */
  private closing = false;
  private pruneTimer: NodeJS.Timeout | undefined;
  private orphanTimer: NodeJS.Timeout | undefined;
  /** The last queue row the orphan scan has judged (orphan-scan.ts); recovery's rows are below it. */
  private orphanMark = 0;
  /** Scans run only until then: a while after a statement whose answer was lost. */
  private orphanScanUntil = 0;
  /**
   * Group commit (group-commit.ts): under load, the writes of one kind that arrive while a
   * statement of that kind is in flight go out together as the next one.
   */
  private readonly writers = {
    ingest: new GroupCommit<IngestPlan, IngestOutcome>({
      writeMany: (plans) => writeIngests(this.sql, plans),
      retryAlone: refusedByServer,
      onUnseenOutcome: () => this.suspectOrphans(),
      keys: ingestKeys,
    }),
    lease: new GroupCommit<number, LeaseOutcome>({
      writeMany: (queueIds) => writeLeases(this.sql, queueIds),
      retryAlone: refusedByServer,
      onUnseenOutcome: () => this.suspectOrphans(),
      keys: (queueId) => [`queue:${queueId}`],
    }),
    checkpoint: new GroupCommit<CheckpointWrite, boolean>({
      writeMany: (writes) => writeCheckpoints(this.sql, writes),
      retryAlone: refusedByServer,
      onUnseenOutcome: () => this.suspectOrphans(),
      keys: (write) => runKeys(write.runId, undefined),
    }),
    persist: new GroupCommit<PersistWrite & { waiterRunId?: string }, PersistOutcome>({
      writeMany: (writes) => writePersists(this.sql, writes),
      retryAlone: refusedByServer,
      onUnseenOutcome: () => this.suspectOrphans(),
      keys: (write) => [...runKeys(write.runId, write.waiterRunId), ...ingestKeys(write.plan)],
    }),
    finalize: new GroupCommit<FinalizeWrite & { waiterRunId?: string }, FinalizeOutcome>({
      writeMany: async (writes) => {
        const outcomes = await writeFinalizes(this.sql, writes);
        this.config.faults?.finalizeCommitted?.(writes.map((write) => write.runId));
        return outcomes;
      },
      retryAlone: refusedByServer,
      onUnseenOutcome: () => this.suspectOrphans(),
      keys: (write) => [...runKeys(write.runId, write.waiterRunId), ...ingestKeys(write.plan)],
    }),
  };

  constructor(
    private readonly sql: Sql,
    private readonly config: EngineConfig,
  ) {}

  // ── lifecycle ────────────────────────────────────────────────────────────────

  async recover(): Promise<void> {
    const rows = await this.sql<
      { slug: string; app_name: string; version: number; config: FunctionConfig }[]
    >`
      select slug, app_name, version, config from ${this.sql(SCHEMA)}.functions`;
    for (const row of rows) this.remember(row.slug, row.app_name, row.version, row.config);
    await this.recoverSingletons();
    await this.recoverDeadlines();

    // A request in flight when the engine stopped counts as a failed attempt. In checkpoint mode
    // the app may still be running it: its item waits out the grace before it is dispatched
    // again, and a checkpoint from it meanwhile is saved and resets the attempts (see
    // checkpoint()); an item past its attempts is failed only when it comes due (execute()).
    const interrupted = await this.sql<
      { id: string; run_id: string; step_id: string; attempt: number; max_attempts: number }[]
    >`
      select q.id, q.run_id, q.step_id, q.attempt, r.max_attempts
      from ${this.sql(SCHEMA)}.queue q join ${this.sql(SCHEMA)}.runs r on r.id = q.run_id
      where q.leased_at is not null and r.status = 'Running'`;
    for (const item of interrupted) {
      if (this.config.checkpointing) {
        const retrying = item.attempt + 1 < item.max_attempts;
        const delayMs = Math.max(
          retrying ? this.backoffMs(item.attempt) : 0,
          this.config.interruptedRequestGraceMs,
        );
        await this.sql`update ${this.sql(SCHEMA)}.queue
          set leased_at = null, attempt = attempt + 1, run_at = ${new Date(Date.now() + delayMs)}
          where id = ${item.id}`;
        this.config.log({
          level: "warn",
          msg: "step.interrupted",
          run_id: item.run_id,
          step_id: item.step_id,
          retrying,
          grace_ms: delayMs,
        });
      } else if (item.attempt + 1 < item.max_attempts) {
        await this.sql`update ${this.sql(SCHEMA)}.queue
          set leased_at = null, attempt = attempt + 1, run_at = ${new Date(Date.now() + this.backoffMs(item.attempt))}
          where id = ${item.id}`;
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

    const queued = await this.sql<
      {
        id: string;
        run_id: string;
        kind: QueueKind;
        step_id: string;
        attempt: number;
        wait_id: string | null;
        run_at: Date;
      }[]
    >`
      select q.id, q.run_id, q.kind, q.step_id, q.attempt, q.wait_id, q.run_at
      from ${this.sql(SCHEMA)}.queue q join ${this.sql(SCHEMA)}.runs r on r.id = q.run_id
      where q.leased_at is null and r.status = 'Running' order by q.id`;
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

    const crons = await this.sql<{ function_slug: string; expression: string; next_tick: Date }[]>`
      select function_slug, expression, next_tick from ${this.sql(SCHEMA)}.crons`;
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
    const { mark, orphans } = planOrphans(
      rows,
      this.orphanMark,
      (runId, queueId) =>
        this.runs.has(runId) ||
        this.loadingRuns.has(runId) ||
        this.timers.has(queueId) ||
        this.ready.some((item) => item.id === queueId),
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
   * Graceful: no new work; waits for SDK requests in flight to be recorded, then unleases the
   * rows written leased that were never sent, so the next start does not count them as
   * interrupted attempts.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.stopTimers();
    while (this.inFlight.size > 0 || this.plannedLeases > 0) {
      const planned =
        this.plannedLeases > 0
          ? new Promise<void>((resolve) => this.plannedLeasesSettled.push(resolve))
          : undefined;
      await Promise.allSettled([...this.inFlight, ...(planned ? [planned] : [])]);
    }
    const unsent = [...this.unsent.keys()];
    this.unsent.clear();
    if (unsent.length > 0)
      await this.sql`update ${this.sql(SCHEMA)}.queue set leased_at = null
        where id = any(${unsent}::bigint[]) and leased_at is not null`;
    this.stopped = true;
  }

  /** Abrupt, like SIGKILL: nothing more is written; in-flight responses are dropped. */
  crash(): void {
    this.stopped = true;
    this.stopTimers();
  }

  private stopTimers() {
    this.ready.length = 0;
    this.throttle.stop();
    this.deadlines.clear();
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
    const [existing] = await this.sql<{ checksum: string }[]>`
      select checksum from ${this.sql(SCHEMA)}.apps where name = ${appName}`;
    if (existing?.checksum === checksum) return { modified: false };

    const slugs = configs.map((config) => config.id);
    const now = new Date();
    const stored = await this.sql.begin(async (tx) => {
      await tx`insert into ${tx(SCHEMA)}.apps (name, url, checksum) values (${appName}, ${url}, ${checksum})
        on conflict (name) do update set url = excluded.url, checksum = excluded.checksum, synced_at = now()`;
      await tx`delete from ${tx(SCHEMA)}.functions where app_name = ${appName} and not (slug = any(${slugs}::text[]))`;
      const saved: { slug: string; version: number; config: FunctionConfig }[] = [];
      for (const config of configs) {
        const [row] = await tx<{ version: number }[]>`
          insert into ${tx(SCHEMA)}.functions (slug, app_name, config) values (${config.id}, ${appName}, ${JSON.stringify(config)}::text::jsonb)
          on conflict (slug) do update set app_name = excluded.app_name, config = excluded.config,
            version = ${tx(SCHEMA)}.functions.version + 1, updated_at = now()
          returning version`;
        saved.push({ slug: config.id, version: row?.version ?? 1, config });
        const crons = config.triggers.flatMap((trigger) => (trigger.cron ? [trigger.cron] : []));
        await tx`delete from ${tx(SCHEMA)}.crons where function_slug = ${config.id} and not (expression = any(${crons}::text[]))`;
        for (const expression of crons) {
          const next = nextCronTick(expression, now);
          if (!next)
            throw new EventValidationError(
              `invalid cron expression "${expression}" in ${config.id}`,
            );
          await tx`insert into ${tx(SCHEMA)}.crons (function_slug, expression, next_tick) values (${config.id}, ${expression}, ${next})
            on conflict (function_slug, expression) do nothing`;
        }
      }
      return saved;
    });

    for (const [slug, fn] of this.functions)
      if (fn.appName === appName && !slugs.includes(slug)) this.functions.delete(slug);
    for (const fn of stored) this.remember(fn.slug, appName, fn.version, fn.config);
    this.cronTimers.disarm(
      (slug) => !this.functions.has(slug) || this.functions.get(slug)?.appName === appName,
    );
    const crons = await this.sql<{ function_slug: string; expression: string; next_tick: Date }[]>`
      select c.function_slug, c.expression, c.next_tick from ${this.sql(SCHEMA)}.crons c
      join ${this.sql(SCHEMA)}.functions f on f.slug = c.function_slug where f.app_name = ${appName}`;
    for (const cron of crons)
      this.scheduleCron(cron.function_slug, cron.expression, cron.next_tick);

    for (const config of configs) {
      const unsupported = Object.keys(config).filter((key) =>
        ["rateLimit", "debounce", "batchEvents"].includes(key),
      );
      if (unsupported.length) {
        this.config.log({
          level: "warn",
          msg: "function.unsupported_flow_control",
          function: config.id,
          ignored: unsupported,
        });
      }
      for (const { key, reason } of invalidFlowControl(config))
        this.config.log({
          level: "warn",
          msg: "function.invalid_flow_control",
          function: config.id,
          key,
          reason,
        });
    }
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
    const events = this.parseEvents(rawEvents, options);
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

  private parseEvents(
    rawEvents: unknown[],
    options: { internal?: boolean; seed?: string | null },
  ): PlannedEvent[] {
    const now = Date.now();
    const seeded = seededUlids(options.seed ?? null, rawEvents.length);
    return rawEvents.map((raw, index) => {
      if (!raw || typeof raw !== "object" || Array.isArray(raw))
        throw new EventValidationError(`event ${index} is not an object`);
      const input = raw as Partial<InngestEvent>;
      if (typeof input.name !== "string" || !input.name)
        throw new EventValidationError(`event ${index} has no name`);
      if (!options.internal && input.name.toLowerCase().startsWith(INTERNAL_EVENT_PREFIX)) {
        throw new EventValidationError(
          `event names starting with "${INTERNAL_EVENT_PREFIX}" are reserved`,
        );
      }
      const data =
        input.data && typeof input.data === "object" && !Array.isArray(input.data)
          ? { ...input.data }
          : {};
      if (!options.internal) delete data._inngest;
      const ts = typeof input.ts === "number" && input.ts > 0 ? input.ts : now;
      if (ts < 315_532_800_000 || ts > 4_102_444_800_000)
        throw new EventValidationError(`event ${index} has a ts outside 1980–2100`);
      const internalId = seeded?.[index] ?? newUlid();
      let meta: unknown;
      try {
        meta = resolveEventMeta(input.meta);
      } catch (error) {
        if (error instanceof SessionsError)
          throw new EventValidationError(`event ${index}: ${error.message}`);
        throw error;
      }
      const event: InngestEvent = {
        name: input.name,
        data,
        id: typeof input.id === "string" && input.id ? input.id : internalId,
        ts,
        user:
          input.user && typeof input.user === "object"
            ? (input.user as Record<string, unknown>)
            : {},
        ...(typeof input.v === "string" ? { v: input.v } : {}),
        ...(meta !== undefined ? { meta } : {}),
      };
      return { internalId, event };
    });
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
        const singleton = this.singletonFor(fn, internalId, event);
        if (singleton === "skip") continue;
        const candidate = this.planRun(fn, internalId, [event], cron);
        // Two events of one send with the same id (or idempotency key): the first one wins.
        if (candidate.planned.dedupeKeys.some((key) => claimed.has(key))) {
          this.slots.releaseSlots(candidate.heldSlots);
          if (candidate.planned.leased) this.releasePlannedLeases(1);
          continue;
        }
        for (const key of candidate.planned.dedupeKeys) claimed.add(key);
        this.claimSingleton(candidate, singleton);
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
      this.singletons.release(candidate.planned.runId, candidate.singleton?.previous);
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
        this.singletons.release(candidate.planned.runId, candidate.singleton?.previous);
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
        await this.cancelSingletonHolder(candidate.singleton.previous, candidate.planned.runId);
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
      : await this.sql<
          {
            id: string;
            run_id: string;
            kind: "event" | "cancel";
            expression: string | null;
            step_id: string | null;
          }[]
        >`
          select id, run_id, kind, expression, step_id from ${this.sql(SCHEMA)}.waits
          where event_name = ${event.name} and min_seq < ${seq} and expires_at > now() order by id`;
    for (const wait of waits) {
      const run = await this.getRun(wait.run_id);
      if (!run || run.status !== "Running") continue;
      if (
        wait.expression &&
        !expressionMatches(wait.expression, { event: run.events[0], async: event })
      )
        continue;
      const consumed = await this
        .sql`delete from ${this.sql(SCHEMA)}.waits where id = ${wait.id} returning id`;
      if (consumed.length === 0) continue;
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
    const cancels = (fn.config.cancel ?? []).map((cancel) => ({
      eventName: cancel.event,
      expression: cancel.if ?? null,
      expiresAt: new Date(resolveDeadline(cancel.timeout, Date.now())),
    }));
    const concurrency = event ? concurrencySlotsOf(fn, event) : [];
    for (const cancel of cancels) this.waitedNames.add(cancel.eventName);
    // A throttled start waits for its turn in process(): it is neither leased nor given slots ahead.
    const dispatchable = !throttleConfigOf(fn.config) && this.canDispatchNow(undefined, Date.now());
    const heldSlots = dispatchable && this.slots.acquireAhead(concurrency) ? concurrency : [];
    const leased = dispatchable && (concurrency.length === 0 || heldSlots.length > 0);
    if (leased) this.plannedLeases++;
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
    const run: RunState = {
      id: planned.runId,
      seq: Number(row.seq),
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
      enqueuedAt: Date.now(),
      priorityScore: this.priorityScoreOf(fn, planned.events[0], Date.now(), planned.runId),
    };
    this.runs.set(run.id, run);
    this.deadlines.waiting(run.id, timeoutLimitsOf(fn.config), run.enqueuedAt);
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
    const [row] = await this.sql<RunRow[]>`
      select id, seq, function_slug, events, status, steps, stack, pending, force_step_plan, max_attempts, concurrency, defers, started_at
      from ${this.sql(SCHEMA)}.runs where id = ${id}`;
    if (!row) return undefined;
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
      // Evaluated again from the trigger and the function as registered now (not stored).
      priorityScore: this.priorityScoreOf(
        this.functions.get(row.function_slug),
        row.events[0],
        row.started_at.getTime(),
        row.id,
      ),
    };
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
    let dispatchable = this.canDispatchNow(undefined, now)
      ? this.config.maxConcurrentRequests - this.committedRequests()
      : 0;
    const nextCall = next.find((item) => item.kind === "execute" && item.runAt <= now);
    // Only the call whose response this is hands its slots on (a resolved wait has none).
    const handOff =
      change.consumedQueueId === undefined
        ? null
        : this.slots.handOffSlots(run, change.consumedQueueId, nextCall);
    for (const item of next) {
      if (item.wait?.eventName) this.waitedNames.add(item.wait.eventName);
      const due = item.kind === "execute" && item.runAt <= now;
      item.holdsSlots = handOff?.keep === item;
      item.leased = due && (run.concurrency.length === 0 || item.holdsSlots) && dispatchable-- > 0;
    }
    const leaseWaiter = handOff?.waiter !== undefined && dispatchable > 0;
    const leases = next.filter((item) => item.leased).length + (leaseWaiter ? 1 : 0);
    this.plannedLeases += leases;
    const plan = this.planIngest(
      change.emit?.length
        ? this.parseEvents(change.emit, { internal: true }).map((item) => ({
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
      run.storedSteps = Math.min(run.storedSteps, from);
      run.unsavedDefers = { ...defers, ...run.unsavedDefers };
      this.releasePlannedLeases(leases);
      this.dropPlan(plan);
      if (handOff) this.slots.cancelHandOff(handOff);
      throw error;
    }
    if (change.emit?.length) this.fault("invoke.persisted");
    if (result.updated) this.config.faults?.stepsWritten?.(run.id, ids);
    for (const id of result.deleted) this.unschedule(id);
    if (!result.updated) {
      run.storedSteps = Math.min(run.storedSteps, from);
      this.releasePlannedLeases(leases);
      this.dropPlan(plan);
      if (handOff) this.slots.cancelHandOff(handOff);
      await this.forgetIfEnded(run);
      return;
    }
    const scheduled: QueueItem[] = [];
    for (const row of result.inserted) {
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
    const adopted = scheduled.filter((item) => item.leased);
    for (const item of adopted) this.unsent.set(item.id, item);
    if (leaseWaiter && handOff?.waiter && result.handoffGen !== null)
      this.unsent.set(handOff.waiter.id, handOff.waiter);
    this.releasePlannedLeases(leases);
    if (handOff) this.slots.completeHandOff(handOff, scheduled, result.handoffGen);
    for (const item of scheduled) this.schedule(item);
    await this.afterIngest(plan, result);
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
    const checkpoint = this.checkpointWrites.get(run.id);
    if (checkpoint) await checkpoint;
    const lifecycle = [...lifecycleEvents(run, status, output), ...this.deferredEvents(run)];
    const plan = this.planIngest(
      this.parseEvents(lifecycle, { internal: true }).map((item) => ({ ...item, owner: run.id })),
    );
    // A cancel comes from outside the run's own request, which keeps its slots until it ends.
    const handOff = status === "Cancelled" ? null : this.slots.handOffSlots(run, "only", undefined);
    const leaseWaiter = handOff?.waiter !== undefined && this.canDispatchNow(undefined, Date.now());
    if (leaseWaiter) this.plannedLeases++;
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
      if (leaseWaiter) this.releasePlannedLeases(1);
      this.dropPlan(plan);
      if (handOff) this.slots.cancelHandOff(handOff);
      // The connection dropped: the statement may have committed, and then nothing retries it.
      if (!refusedByServer(error))
        await this.forgetIfEnded(run).catch((readError: unknown) =>
          this.logError("run.status_unknown", readError, { run_id: run.id }),
        );
      throw error;
    }
    if (!result.finished) {
      if (leaseWaiter) this.releasePlannedLeases(1);
      this.dropPlan(plan);
      if (handOff) this.slots.cancelHandOff(handOff);
      // Ended by an earlier finalize whose answer was lost, if not by one that forgot it already.
      await this.forgetIfEnded(run);
      return false;
    }
    this.fault("finalize.stored");
    this.config.faults?.stepsWritten?.(run.id, ids);
    run.status = status;
    run.storedSteps = run.stack.length;
    this.deadlines.forget(run.id);
    for (const queueId of run.queueIds) this.unschedule(queueId);
    this.runs.delete(run.id);
    this.releaseWaiting(run.id);
    if (leaseWaiter && handOff?.waiter && result.handoffGen !== null)
      this.unsent.set(handOff.waiter.id, handOff.waiter);
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
    const rows = await this.sql<{ id: string }[]>`
      select id from ${this.sql(SCHEMA)}.runs
      where function_slug = ${filter.functionSlug} and status = 'Running'
        and started_at < ${filter.startedBefore} and started_at >= ${filter.startedAfter ?? new Date(0)}`;
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
      this.ready.push(item);
      this.pump();
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(item.id);
        this.ready.push(item);
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
    const index = this.ready.findIndex((item) => item.id === queueId);
    if (index < 0) return;
    const [removed] = this.ready.splice(index, 1);
    if (!removed) return;
    // An item dropped before dispatch gives back the slots it was handed, and its request slot.
    if (this.unsent.get(removed.id) === removed) {
      this.unsent.delete(removed.id);
      this.pump();
    }
    this.slots.release(removed);
  }

  private pump() {
    while (!this.stopped && !this.closing && this.ready.length > 0) {
      // With every free slot promised, only an item written leased (it holds one) may go.
      const index =
        this.committedRequests() < this.config.maxConcurrentRequests
          ? 0
          : this.unsent.size > 0
            ? this.ready.findIndex((item) => this.unsent.get(item.id) === item)
            : -1;
      if (index < 0) break;
      const [item] = this.ready.splice(index, 1);
      if (!item) break;
      if (this.unsent.get(item.id) === item) this.unsent.delete(item.id);
      this.activeRequests++;
      const work = this.process(item)
        .catch((error: unknown) => {
          // The item is still in the database; try it again shortly (steps are at-least-once).
          this.logError("queue.item_failed", error, { run_id: item.runId, step_id: item.stepId });
          this.schedule({ ...item, runAt: Date.now() + 1_000 });
        })
        .finally(() => {
          this.activeRequests--;
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
    const [row] = await this.sql<{ status: RunState["status"] }[]>`
      select status from ${this.sql(SCHEMA)}.runs where id = ${run.id}`;
    if (row?.status === "Running" || this.runs.get(run.id) !== run) return;
    // No row: pruned, so it ended long ago.
    run.status = row?.status ?? "Cancelled";
    this.deadlines.forget(run.id);
    for (const queueId of run.queueIds) this.unschedule(queueId);
    this.runs.delete(run.id);
    this.releaseWaiting(run.id);
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
    this.singletons.release(runId);
    this.throttleAdmitted.delete(runId);
    this.throttle.drop((item) => item.runId === runId);
    this.outputTally.forget(runId);
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
      this.ready.length === 0 &&
      this.committedRequests() < this.config.maxConcurrentRequests
    );
  }

  /** Request slots in use or promised: requests sent, rows being written leased, leased rows not yet sent. */
  private committedRequests(): number {
    return this.activeRequests + this.plannedLeases + this.unsent.size;
  }

  /** The statement that was to write these rows leased committed (they are in `unsent` now) or failed. */
  private releasePlannedLeases(count: number) {
    if (count <= 0) return;
    this.plannedLeases -= count;
    if (this.plannedLeases === 0) {
      const settled = this.plannedLeasesSettled;
      this.plannedLeasesSettled = [];
      for (const resolve of settled) resolve();
    }
    this.pump();
  }

  /** A run's first call, written leased: it keeps its request slot until it is sent. */
  private adoptLease(item: QueueItem) {
    this.unsent.set(item.id, item);
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
      const [wait] = await this.sql<{ kind: string; result: unknown }[]>`
        delete from ${this.sql(SCHEMA)}.waits where id = ${item.waitId ?? -1} returning kind, result`;
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
    if (!this.admitThrottled(run, fn, item)) return;
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
    if (!(await this.beginRequestClock(run, fn))) return;
    const leaseGen = await this.lease(item);
    if (leaseGen === null) {
      // The item is gone: perhaps with its run, by a finalize whose answer was lost.
      await this.forgetIfEnded(run);
      return;
    }
    // A checkpoint committed just before this lease is in the state this request carries.
    await this.checkpointWrites.get(run.id);
    if (this.stopped || run.status !== "Running") return;
    if (item.attempt >= run.maxAttempts) {
      // Interrupted by a restart with no attempts left, and no checkpoint came from that request.
      await this.finalize(run, "Failed", INTERRUPTED_ERROR);
      return;
    }
    const dispatch: Dispatch = { item, leaseGen, fenced: false };
    this.dispatches.set(item.id, dispatch);
    try {
      await this.dispatch(run, fn, item, dispatch);
    } finally {
      if (this.dispatches.get(item.id) === dispatch) this.dispatches.delete(item.id);
    }
  }

  private async dispatch(
    run: RunState,
    fn: RegisteredFunction,
    item: QueueItem,
    dispatch: Dispatch,
  ): Promise<void> {
    const url = new URL(fn.config.steps[DISCOVERY_STEP]?.runtime.url ?? "");
    url.searchParams.set("fnId", fn.slug);
    url.searchParams.set("stepId", item.stepId);
    const requestId = randomUUID();
    const body = {
      event: run.events[0],
      events: run.events,
      steps: run.steps,
      defers: sdkDefers(run.defers),
      ctx: {
        run_id: run.id,
        attempt: item.attempt,
        max_attempts: run.maxAttempts,
        // The SDK checkpoints only when given a function id (its `shouldAsyncCheckpoint`).
        ...(this.config.checkpointing ? { fn_id: fn.slug } : {}),
        qi_id: queueItemRef(item.id, dispatch.leaseGen),
        request_id: requestId,
        generation_id: dispatch.leaseGen,
        job_id: String(item.id),
        disable_immediate_execution: run.forceStepPlan || item.stepId !== DISCOVERY_STEP,
        use_api: false,
        stack: { stack: run.stack, current: run.stack.length },
      },
      version: 2,
    };

    let response: SdkResponse | Error;
    try {
      const request = appRequest(body, this.config.keys);
      response = await readSdkResponse(
        await fetch(url, {
          method: "POST",
          headers: {
            ...request.headers,
            "x-inngest-req-version": "2",
            // The SDK reads these, not the body, for ctx.requestId / ctx.jobId and the checkpoint's generation.
            "x-request-id": requestId,
            "x-inngest-job-id": String(item.id),
            "x-inngest-generation-id": String(dispatch.leaseGen),
          },
          body: request.body,
          signal: AbortSignal.timeout(this.config.requestTimeoutMs),
        }),
      );
    } catch (error) {
      response = error instanceof Error ? error : new Error(String(error));
    }
    // A fenced request (its checkpoint got 409) answers with the SDK's stale-dispatch error.
    if (this.stopped || run.status !== "Running" || dispatch.fenced) return;

    if (
      response instanceof Error ||
      !response.fromSdk ||
      (response.status !== 200 && response.status !== 206)
    ) {
      const noRetry =
        !(response instanceof Error) &&
        response.fromSdk &&
        response.headers.get("x-inngest-no-retry") === "true";
      const output =
        response instanceof Error ? serializeError(response) : parseJson(response.body);
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
      return;
    }

    if (response.status === 200) {
      await this.finalize(run, "Completed", parseJson(response.body));
      return;
    }
    await this.applyOps(run, item, response);
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
    const tooLarge = await this.checkOutputLimits(run, active);
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

  // ── priority and timeouts ────────────────────────────────────────────────────

  /** The run's place among runs not under way (flow-priority.ts); a bad expression is logged, factor 0. */
  private priorityScoreOf(
    fn: RegisteredFunction | undefined,
    trigger: InngestEvent | undefined,
    enqueuedAt: number,
    runId: string,
  ): number {
    if (!fn || !priorityExpressionOf(fn.config)) return enqueuedAt;
    const factor = priorityFactorSeconds(fn.config, trigger, (problem) =>
      this.config.log({
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
  private async recoverDeadlines() {
    const timed = [...this.functions.values()].filter((fn) =>
      hasTimeouts(timeoutLimitsOf(fn.config)),
    );
    if (timed.length === 0) return;
    const s = this.sql(SCHEMA);
    const rows = await this.sql<
      { id: string; function_slug: string; started_at: Date; under_way: boolean }[]
    >`
      select r.id, r.function_slug, r.started_at,
        cardinality(r.stack) > 0 or cardinality(r.pending) > 0 or exists (
          select 1 from ${s}.queue q where q.run_id = r.id and (q.leased_at is not null or q.attempt > 0)
        ) as under_way
      from ${s}.runs r
      where r.status = 'Running' and r.function_slug = any(${timed.map((fn) => fn.slug)}::text[])`;
    const now = Date.now();
    for (const row of rows) {
      const fn = this.functions.get(row.function_slug);
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
  private async beginRequestClock(run: RunState, fn: RegisteredFunction): Promise<boolean> {
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
    if (this.stopped || this.closing) return;
    const work = (async () => {
      const run = await this.getRun(runId);
      if (!run || run.status !== "Running") return;
      if (kind === "start" && this.deadlines.isStarted(runId)) return;
      await this.timeOut(run, kind);
    })()
      .catch((error: unknown) => {
        this.logError("run.timeout_failed", error, { run_id: runId, timeout: kind });
        // Nothing was written: try again shortly (a restart re-arms it from the database too).
        if (!this.stopped && !this.closing)
          setTimeout(() => this.expireRun(runId, kind), 1_000).unref();
      })
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Cancelled as Inngest cancels a timed-out run: `function.cancelled`, never `function.failed`. */
  private async timeOut(run: RunState, kind: TimeoutKind) {
    this.config.log({
      level: "warn",
      msg: "run.timed_out",
      run_id: run.id,
      function: run.functionSlug,
      timeout: kind,
    });
    await this.cancel(run, `timeouts.${kind}`);
  }

  // ── checkpoints ──────────────────────────────────────────────────────────────

  /**
   * `POST /v1/checkpoint/:runId/async`: saves the steps an SDK request ran, if that request is
   * still its queue item's current dispatch, and resets the item's attempts (the request's next
   * step starts afresh, as Go's `ResetAttemptsByJobID`). Acknowledged only after the commit,
   * and the SDK starts its next step only then: an acknowledged step is never lost, and a
   * fenced-off request (409) saves nothing and stops.
   */
  async checkpoint(runId: string, body: CheckpointBody): Promise<CheckpointOutcome> {
    if (this.config.faults?.refuseCheckpoint?.(runId))
      return { status: 503, error: "checkpoints are unavailable" };
    const plan = planCheckpoint(body.steps);
    if (!plan.ok) return { status: 400, error: `cannot checkpoint opcode: ${plan.opcode}` };
    const ref = parseQueueItemRef(body.qi_id);
    if (!ref) return { status: 400, error: "qi_id does not name a queue item of this engine" };
    // One checkpoint of a run at a time, so each sees the steps the previous one saved.
    const previous = this.checkpointWrites.get(runId);
    const write = (async () => {
      await previous;
      return this.saveCheckpoint(runId, ref, plan.saves, plan.defers);
    })();
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.checkpointWrites.set(runId, settled);
    try {
      return await write;
    } finally {
      if (this.checkpointWrites.get(runId) === settled) this.checkpointWrites.delete(runId);
    }
  }

  private async saveCheckpoint(
    runId: string,
    ref: { queueId: number; leaseGen: number },
    saves: { id: string; value: { data: unknown } }[],
    deferOps: CheckpointOp[],
  ): Promise<CheckpointOutcome> {
    const run = await this.getRun(runId);
    if (!run) return { status: 404, error: "run not found" };
    const fresh = run.status === "Running" ? saves.filter((save) => !(save.id in run.steps)) : [];
    const defers = applyDeferOps(run.defers, deferOps);
    const outputs =
      fresh.length > 0
        ? checkOutputs(
            fresh.map((save) => ({ id: save.id, data: save.value.data })),
            this.outputTally.of(run.id, run.steps),
            this.outputLimits(),
          )
        : undefined;
    if (outputs && (outputs.tooLarge.size > 0 || outputs.overflowed)) {
      // As Go's 413: the SDK gives up checkpointing and answers with the steps, and the run
      // loop fails the step (or the run) with the same error.
      this.config.log({
        level: "warn",
        msg: "checkpoint.output_too_large",
        run_id: runId,
        steps: [...outputs.tooLarge.keys()],
        run_bytes: outputs.runBytes,
      });
      return {
        status: 413,
        error: outputs.overflowed
          ? "state is too large: the run's step outputs exceed the limit"
          : "step output size is greater than the limit",
      };
    }
    const saved = await this.writers.checkpoint.write({
      runId,
      queueId: ref.queueId,
      leaseGen: ref.leaseGen,
      steps: JSON.stringify(Object.fromEntries(fresh.map((save) => [save.id, save.value]))),
      ids: fresh.map((save) => save.id),
      defers: JSON.stringify(defers),
    });
    this.config.faults?.afterCheckpointCommit?.(runId);
    const held = this.config.faults?.holdCheckpoint?.(runId);
    if (held) await held;
    if (this.stopped) throw new EngineStoppedError("the engine stopped before acknowledging");
    const dispatch = this.dispatches.get(ref.queueId);
    const current = dispatch?.leaseGen === ref.leaseGen ? dispatch : undefined;
    if (!saved) {
      if (current) current.fenced = true;
      this.config.log({
        level: "warn",
        msg: "checkpoint.stale",
        run_id: runId,
        qi_id: queueItemRef(ref.queueId, ref.leaseGen),
      });
      return {
        status: 409,
        error: "stale dispatch: the run ended or its step was dispatched again",
      };
    }
    this.config.faults?.stepsWritten?.(
      runId,
      fresh.map((save) => save.id),
    );
    if (outputs) this.outputTally.set(runId, outputs.runBytes);
    // Everything before was stored: so are these now, and no persist or finalize re-sends them.
    const allStored = run.storedSteps === run.stack.length;
    for (const save of fresh) {
      if (save.id in run.steps) continue;
      run.steps[save.id] = save.value;
      run.stack.push(save.id);
      run.pending.delete(save.id);
    }
    if (allStored) run.storedSteps = run.stack.length;
    Object.assign(run.defers, defers);
    if (current) current.item.attempt = 0;
    return { status: 200 };
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
    const [event] = this.parseEvents(
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
    const singleton = event ? this.singletonFor(fn, event.internalId, event.event) : null;
    if (event && singleton !== "skip") {
      const candidate = this.planRun(fn, event.internalId, [event.event], expression);
      this.claimSingleton(candidate, singleton);
      plan.candidates.push(candidate);
      plan.statement.runs.push(candidate.planned);
    }
    const ingest = ingestParts(this.sql, plan.statement, this.sql`exists (select 1 from advanced)`);
    let result: ({ advanced: boolean } & IngestOutcome) | undefined;
    try {
      [result] = await this.sql<NonNullable<typeof result>[]>`
        with advanced as (
          update ${this.sql(SCHEMA)}.crons set next_tick = ${next ?? new Date(now.getTime() + 3_600_000)}
          where function_slug = ${slug} and expression = ${expression} and next_tick = ${tick} returning 1
        ), ${ingest.ctes}
        select exists (select 1 from advanced) as advanced, ${ingest.result}`;
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

  // ── singleton, throttle, output limits ───────────────────────────────────────

  /** The singleton locks of the runs still Running, as before the restart. */
  private async recoverSingletons() {
    const slugs = [...this.functions.values()]
      .filter((fn) => singletonConfigOf(fn.config))
      .map((fn) => fn.slug);
    if (slugs.length === 0) return;
    const rows = await this.sql<{ id: string; function_slug: string; event: InngestEvent }[]>`
      select id, function_slug, events->0 as event from ${this.sql(SCHEMA)}.runs
      where status = 'Running' and function_slug = any(${slugs}::text[]) order by seq`;
    for (const row of rows) {
      const config = this.functions.get(row.function_slug)?.config;
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
  private singletonFor(
    fn: RegisteredFunction,
    eventId: string,
    event: InngestEvent,
  ): { key: string; mode: SingletonMode } | "skip" | null {
    const config = singletonConfigOf(fn.config);
    const key = config ? singletonKey(fn.slug, config, event) : null;
    if (!config || key === null) return null;
    const holder = this.singletons.holder(key);
    if (holder !== undefined && config.mode === "skip") {
      this.config.log({
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

  private claimSingleton(
    candidate: RunCandidate,
    singleton: { key: string; mode: SingletonMode } | null,
  ) {
    if (!singleton) return;
    const previous = this.singletons.claim(singleton.key, candidate.planned.runId);
    candidate.singleton = {
      key: singleton.key,
      ...(previous !== undefined ? { previous } : {}),
      cancelPrevious: singleton.mode === "cancel",
    };
  }

  /** `cancel` mode: the run holding the lock ends like any cancellation (no onFailure). */
  private async cancelSingletonHolder(runId: string, replacedBy: string) {
    // The new run starts whatever happens here: a failed cancel must not strand it unscheduled.
    try {
      const run = await this.getRun(runId);
      if (!run || run.status !== "Running") return;
      if (await this.cancel(run, "singleton"))
        this.config.log({
          level: "info",
          msg: "run.singleton_cancelled",
          run_id: runId,
          replaced_by: replacedBy,
        });
    } catch (error) {
      this.logError("singleton.cancel_failed", error, { run_id: runId, replaced_by: replacedBy });
    }
  }

  /**
   * A throttled function's run starts when its key's GCRA allows; until then its first call
   * waits in the gate, in run order, and comes back through `ready` (see ThrottleGate).
   */
  private admitThrottled(run: RunState, fn: RegisteredFunction, item: QueueItem): boolean {
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

  private outputLimits(): OutputLimits {
    return this.config.outputLimits ?? DEFAULT_OUTPUT_LIMITS;
  }

  /**
   * The `step.run` outputs of a response against the limits: the steps over the step limit
   * (they fail), or null when the run's outputs together overflow it (the run has failed).
   */
  private async checkOutputLimits(run: RunState, ops: Op[]): Promise<Map<string, number> | null> {
    const outputs = ops.filter((op) => op.op === "StepRun" && !(op.id in run.steps));
    if (outputs.length === 0) return new Map();
    const limits = this.outputLimits();
    const verdict = checkOutputs(
      outputs.map((op) => ({ id: op.id, data: op.data ?? null })),
      this.outputTally.of(run.id, run.steps),
      limits,
    );
    for (const [stepId, bytes] of verdict.tooLarge)
      this.config.log({
        level: "warn",
        msg: "step.output_too_large",
        run_id: run.id,
        step_id: stepId,
        bytes,
        limit: limits.stepBytes,
      });
    if (verdict.overflowed) {
      this.config.log({
        level: "error",
        msg: "run.state_overflowed",
        run_id: run.id,
        bytes: verdict.runBytes,
        limit: limits.runBytes,
      });
      await this.finalize(run, "Failed", stateOverflowedError(verdict.runBytes, limits.runBytes));
      return null;
    }
    this.outputTally.set(run.id, verdict.runBytes);
    return verdict.tooLarge;
  }

  // ── housekeeping ─────────────────────────────────────────────────────────────

  private async prune() {
    const cutoff = new Date(Date.now() - this.config.historyRetentionHours * 3_600_000);
    const s = this.sql(SCHEMA);
    await this.sql`delete from ${s}.runs where ended_at < ${cutoff}`;
    await this.sql`delete from ${s}.events e where received_at < ${cutoff}
      and not exists (select 1 from ${s}.runs r where r.event_id = e.internal_id)`;
    await this.sql`delete from ${s}.dedupe where expires_at < now()`;
    await this.sql`delete from ${s}.waits where kind = 'cancel' and expires_at < now()`;
    await this.refreshWaitedNames();
  }

  private async refreshWaitedNames() {
    const known = new Set(this.waitedNames);
    const names = await this.sql<{ event_name: string }[]>`
      select distinct event_name from ${this.sql(SCHEMA)}.waits where event_name is not null`;
    // Names registered while the query ran stay: the set may over-approximate, never under.
    const fresh = new Set(names.map((row) => row.event_name));
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
