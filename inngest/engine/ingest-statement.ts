import { DISCOVERY_STEP, EVENTS, type InngestEvent } from "./protocol";
import { SCHEMA, type Sql } from "./store";

/**
 * The ingest part of a statement: events, the runs they trigger (routed in memory), their
 * dedupe keys, cancel waits and first queue rows, and the invoke waits a `function.finished`
 * resolves. It is a list of CTEs a caller puts into its own statement (an event send, a
 * finalize, a persist that invokes, a cron tick), so the event and everything it causes
 * commit together: a retried send finds both or neither (issue 19, D1–D4).
 *
 * Runs are inserted only for events this statement inserted; a resend of a stored event
 * changes nothing.
 */

/**
 * `owner`: the run whose write stores this event (a finalize's lifecycle events, a persist's
 * invocations); a statement that writes several runs inserts only the events of runs it wrote.
 */
export type PlannedEvent = { internalId: string; event: InngestEvent; owner?: string };

export type PlannedRun = {
  runId: string;
  eventId: string;
  slug: string;
  version: number;
  events: InngestEvent[];
  maxAttempts: number;
  concurrency: string;
  cron: string | null;
  dedupeKeys: string[];
  cancels: { eventName: string; expression: string | null; expiresAt: Date }[];
  /** The first queue row is written leased: it goes to an SDK request at once. */
  leased: boolean;
};

/** A `function.finished` event that resolves an invoking run's wait. */
export type PlannedInvokeResult = { eventId: string; correlationId: string; value: string };

export type IngestPlan = {
  events: PlannedEvent[];
  runs: PlannedRun[];
  invokeResults: PlannedInvokeResult[];
};

export type IngestOutcome = {
  /** Events this statement inserted (a resend's are absent). */
  events: { internal_id: string; seq: string }[] | null;
  /** Runs created, with their first queue row. */
  runs: { run_id: string; seq: string; queue_id: string }[] | null;
  /**
   * Invoke wait-timeout rows moved to now: the invoking run resumes with the stored result.
   * `correlation_id` names the invoke result (and so the plan) that resolved it.
   */
  resumed:
    | {
        id: string;
        run_id: string;
        step_id: string;
        attempt: number;
        wait_id: string;
        correlation_id: string;
      }[]
    | null;
};

/** The value an invoking step resolves with when its child finishes. */
export function invokeResultOf(event: InngestEvent): PlannedInvokeResult | null {
  if (event.name !== EVENTS.functionFinished) return null;
  const correlationId = event.data.correlation_id;
  if (typeof correlationId !== "string") return null;
  const value =
    event.data.error !== undefined
      ? { error: event.data.error }
      : { data: event.data.result ?? null };
  return { eventId: "", correlationId, value: JSON.stringify(value) };
}

/**
 * The CTEs (`ing_*`), to follow a `with` and a comma; `when` gates each event's insert (e.g.
 * "the run was finalized"), and may name `e.owner`, the event's owning run. Select
 * `ingestResult` columns from them.
 */
export function ingestCtes(sql: Sql, plan: IngestPlan, when = sql`true`) {
  const s = sql(SCHEMA);
  const { events, runs, invokeResults } = plan;
  const keys = runs.flatMap((run) => run.dedupeKeys.map((key) => ({ runId: run.runId, key })));
  const cancels = runs.flatMap((run) =>
    run.cancels.map((cancel) => ({ runId: run.runId, cancel })),
  );
  return sql`
    ing_ev as (
      insert into ${s}.events (internal_id, name, payload)
      select e.internal_id, e.name, e.payload from unnest(${events.map((item) => item.internalId)}::text[], ${events.map((item) => item.event.name)}::text[],
        ${events.map((item) => JSON.stringify(item.event))}::text[]::jsonb[], ${events.map((item) => item.owner ?? null)}::text[])
        as e(internal_id, name, payload, owner)
      where ${when}
      on conflict (internal_id) do nothing
      returning internal_id, seq
    ), ing_cand as (
      select * from unnest(${runs.map((run) => run.runId)}::text[], ${runs.map((run) => run.eventId)}::text[],
        ${runs.map((run) => run.slug)}::text[], ${runs.map((run) => run.version)}::int[],
        ${runs.map((run) => JSON.stringify(run.events))}::text[]::jsonb[], ${runs.map((run) => run.maxAttempts)}::int[],
        ${runs.map((run) => run.concurrency)}::text[]::jsonb[], ${runs.map((run) => run.cron)}::text[],
        ${runs.map((run) => (run.leased ? "t" : "f"))}::text[]::boolean[])
        as c(run_id, event_id, slug, version, events, max_attempts, concurrency, cron, leased)
      where c.event_id in (select internal_id from ing_ev)
    ), ing_keys as (
      select * from unnest(${keys.map((item) => item.runId)}::text[], ${keys.map((item) => item.key)}::text[]) as k(run_id, key)
      where k.run_id in (select run_id from ing_cand)
    ), ing_dedupe as (
      insert into ${s}.dedupe (key, expires_at)
      select key, now() + interval '24 hours' from ing_keys
      on conflict (key) do update set expires_at = excluded.expires_at where ${s}.dedupe.expires_at < now()
      returning key
    ), ing_run as (
      insert into ${s}.runs (id, function_slug, function_version, event_id, events, max_attempts, concurrency, cron)
      select c.run_id, c.slug, c.version, c.event_id, c.events, c.max_attempts, c.concurrency, c.cron from ing_cand c
      where not exists (select 1 from ing_keys k where k.run_id = c.run_id and k.key not in (select key from ing_dedupe))
      returning id, seq
    ), ing_cancels as (
      insert into ${s}.waits (run_id, kind, event_name, expression, min_seq, expires_at)
      select r.id, 'cancel', c.event_name, c.expression, r.seq, c.expires_at
      from ing_run r join unnest(${cancels.map((item) => item.runId)}::text[], ${cancels.map((item) => item.cancel.eventName)}::text[],
        ${cancels.map((item) => item.cancel.expression)}::text[], ${cancels.map((item) => item.cancel.expiresAt.toISOString())}::timestamptz[])
        as c(run_id, event_name, expression, expires_at) on c.run_id = r.id
    ), ing_queue as (
      insert into ${s}.queue (run_id, kind, step_id, leased_at, lease_gen)
      select r.id, 'execute', ${DISCOVERY_STEP}, case when c.leased then now() end, case when c.leased then 1 else 0 end
      from ing_run r join ing_cand c on c.run_id = r.id
      returning run_id, id
    ), ing_inv as (
      update ${s}.waits w set result = v.value
      from unnest(${invokeResults.map((item) => item.eventId)}::text[], ${invokeResults.map((item) => item.correlationId)}::text[],
        ${invokeResults.map((item) => item.value)}::text[]::jsonb[]) as v(event_id, correlation_id, value)
      where w.correlation_id = v.correlation_id and w.kind = 'invoke' and w.result is null
        and v.event_id in (select internal_id from ing_ev)
      returning w.id, w.correlation_id
    ), ing_resumed as (
      update ${s}.queue q set run_at = now() from ing_inv v
      where q.kind = 'wait-timeout' and q.wait_id = v.id and q.leased_at is null
      returning q.id, q.run_id, q.step_id, q.attempt, q.wait_id, v.correlation_id
    )`;
}

/** The result columns of `ingestCtes`, shaped as `IngestOutcome`. */
export function ingestResult(sql: Sql) {
  return sql`
    (select json_agg(ing_ev) from ing_ev) as events,
    (select json_agg(json_build_object('run_id', r.id, 'seq', r.seq, 'queue_id', q.id))
      from ing_run r join ing_queue q on q.run_id = r.id) as runs,
    (select json_agg(ing_resumed) from ing_resumed) as resumed`;
}

export function emptyIngestPlan(): IngestPlan {
  return { events: [], runs: [], invokeResults: [] };
}

/** `ingestCtes` and its result columns, or a no-op pair when there is nothing to ingest. */
export function ingestParts(sql: Sql, plan: IngestPlan, when = sql`true`) {
  if (plan.events.length === 0)
    return {
      ctes: sql`ing_none as (select 1)`,
      result: sql`null::json as events, null::json as runs, null::json as resumed`,
    };
  return { ctes: ingestCtes(sql, plan, when), result: ingestResult(sql) };
}

/** One plan for several writes of a group commit (see group-commit.ts). */
export function mergeIngestPlans(plans: readonly IngestPlan[]): IngestPlan {
  return {
    events: plans.flatMap((plan) => plan.events),
    runs: plans.flatMap((plan) => plan.runs),
    invokeResults: plans.flatMap((plan) => plan.invokeResults),
  };
}

/**
 * What two plans in one statement must not share: the same event, dedupe key or invoke wait
 * twice in one insert or update (PostgreSQL refuses, or would let both through).
 */
export function ingestKeys(plan: IngestPlan): string[] {
  return [
    ...plan.events.map((item) => `event:${item.internalId}`),
    ...plan.runs.flatMap((run) => run.dedupeKeys.map((key) => `dedupe:${key}`)),
    ...plan.invokeResults.map((item) => `invoke:${item.correlationId}`),
  ];
}

/**
 * Each plan's share of a merged statement's outcome. An invoke wait it resumed goes to the plan
 * whose invoke result resolved it (no two plans of one statement share a correlation id, see
 * `ingestKeys`): that plan's write committed, so its caller schedules the resume — a member
 * whose own write did not commit never receives another's.
 */
export function splitIngestOutcome(
  outcome: IngestOutcome | undefined,
  plans: readonly IngestPlan[],
): IngestOutcome[] {
  return plans.map((plan) => {
    const eventIds = new Set(plan.events.map((item) => item.internalId));
    const runIds = new Set(plan.runs.map((run) => run.runId));
    const correlationIds = new Set(plan.invokeResults.map((item) => item.correlationId));
    return {
      events: (outcome?.events ?? []).filter((row) => eventIds.has(row.internal_id)),
      runs: (outcome?.runs ?? []).filter((row) => runIds.has(row.run_id)),
      resumed: (outcome?.resumed ?? []).filter((row) => correlationIds.has(row.correlation_id)),
    };
  });
}
