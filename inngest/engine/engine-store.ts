/**
 * The engine's statements outside the hot writes (those are `batched-writes.ts`): recovery
 * reads, app sync, waits, run reads, the cron tick and housekeeping. One typed function per
 * statement, so every statement the engine sends is in this file or in `batched-writes.ts`.
 */
import { nextCronTick } from "./cron-schedule";
import { EventValidationError, type QueueKind, type RunRow, type RunState } from "./engine-types";
import { ingestParts, type IngestOutcome, type IngestPlan } from "./ingest-statement";
import type { FunctionConfig, InngestEvent } from "./protocol";
import { SCHEMA, type Sql } from "./store";

// JSON goes to PostgreSQL as `${JSON.stringify(value)}::text::jsonb`: a parameter typed jsonb
// would make postgres.js encode the already-encoded string a second time.

// ── registry ──────────────────────────────────────────────────────────────────

export type StoredFunction = {
  slug: string;
  app_name: string;
  version: number;
  config: FunctionConfig;
};

export function selectFunctions(sql: Sql) {
  return sql<StoredFunction[]>`
      select slug, app_name, version, config from ${sql(SCHEMA)}.functions`;
}

export async function selectAppChecksum(sql: Sql, appName: string): Promise<string | undefined> {
  const [existing] = await sql<{ checksum: string }[]>`
      select checksum from ${sql(SCHEMA)}.apps where name = ${appName}`;
  return existing?.checksum;
}

/**
 * Upserts the app, replaces its function set (each function's version goes up) and its crons
 * (a kept expression keeps its `next_tick`), in one transaction; an invalid cron expression
 * throws and stores nothing.
 */
export function storeApp(
  sql: Sql,
  app: { name: string; url: string; checksum: string },
  configs: FunctionConfig[],
  now: Date,
): Promise<{ slug: string; version: number; config: FunctionConfig }[]> {
  const { name: appName, url, checksum } = app;
  const slugs = configs.map((config) => config.id);
  return sql.begin(async (tx) => {
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
          throw new EventValidationError(`invalid cron expression "${expression}" in ${config.id}`);
        await tx`insert into ${tx(SCHEMA)}.crons (function_slug, expression, next_tick) values (${config.id}, ${expression}, ${next})
            on conflict (function_slug, expression) do nothing`;
      }
    }
    return saved;
  });
}

// ── recovery ──────────────────────────────────────────────────────────────────

/** A step whose request was in flight when the engine stopped (its row is leased). */
export type InterruptedItem = {
  id: string;
  run_id: string;
  step_id: string;
  attempt: number;
  max_attempts: number;
};

export function selectInterruptedItems(sql: Sql) {
  return sql<InterruptedItem[]>`
      select q.id, q.run_id, q.step_id, q.attempt, r.max_attempts
      from ${sql(SCHEMA)}.queue q join ${sql(SCHEMA)}.runs r on r.id = q.run_id
      where q.leased_at is not null and r.status = 'Running'`;
}

/** The interrupted request counts as an attempt; the item is due again at `runAt`. */
export async function requeueInterrupted(sql: Sql, queueId: string, runAt: Date): Promise<void> {
  await sql`update ${sql(SCHEMA)}.queue
          set leased_at = null, attempt = attempt + 1, run_at = ${runAt}
          where id = ${queueId}`;
}

export type StoredQueueItem = {
  id: string;
  run_id: string;
  kind: QueueKind;
  step_id: string;
  attempt: number;
  wait_id: string | null;
  run_at: Date;
};

export function selectQueuedItems(sql: Sql) {
  return sql<StoredQueueItem[]>`
      select q.id, q.run_id, q.kind, q.step_id, q.attempt, q.wait_id, q.run_at
      from ${sql(SCHEMA)}.queue q join ${sql(SCHEMA)}.runs r on r.id = q.run_id
      where q.leased_at is null and r.status = 'Running' order by q.id`;
}

/** Every queue row of one run, leased or not (a persist whose answer was lost: engine.ts). */
export function selectRunQueueItems(sql: Sql, runId: string) {
  return sql<StoredQueueItem[]>`
      select id, run_id, kind, step_id, attempt, wait_id, run_at
      from ${sql(SCHEMA)}.queue where run_id = ${runId} order by id`;
}

/** Rows written leased and never sent go back unleased (a graceful stop). */
export async function unleaseUnsent(sql: Sql, queueIds: number[]): Promise<void> {
  await sql`update ${sql(SCHEMA)}.queue set leased_at = null
        where id = any(${queueIds}::bigint[]) and leased_at is not null`;
}

/** Running runs of the given (timed) functions, and whether each has begun a request. */
export function selectTimedRuns(sql: Sql, slugs: string[]) {
  const s = sql(SCHEMA);
  return sql<{ id: string; function_slug: string; started_at: Date; under_way: boolean }[]>`
      select r.id, r.function_slug, r.started_at,
        cardinality(r.stack) > 0 or cardinality(r.pending) > 0 or exists (
          select 1 from ${s}.queue q where q.run_id = r.id and (q.leased_at is not null or q.attempt > 0)
        ) as under_way
      from ${s}.runs r
      where r.status = 'Running' and r.function_slug = any(${slugs}::text[])`;
}

/** Running runs of the given (singleton) functions with their trigger, oldest first. */
export function selectSingletonRuns(sql: Sql, slugs: string[]) {
  return sql<{ id: string; function_slug: string; event: InngestEvent }[]>`
      select id, function_slug, events->0 as event from ${sql(SCHEMA)}.runs
      where status = 'Running' and function_slug = any(${slugs}::text[]) order by seq`;
}

// ── runs and waits ────────────────────────────────────────────────────────────

export async function selectRun(sql: Sql, id: string): Promise<RunRow | undefined> {
  const [row] = await sql<RunRow[]>`
      select id, seq, function_slug, events, status, steps, stack, pending, force_step_plan, max_attempts, concurrency, defers, started_at
      from ${sql(SCHEMA)}.runs where id = ${id}`;
  return row;
}

/** The run's status; undefined when it is gone (pruned). */
export async function selectRunStatus(
  sql: Sql,
  id: string,
): Promise<RunState["status"] | undefined> {
  const [row] = await sql<{ status: RunState["status"] }[]>`
      select status from ${sql(SCHEMA)}.runs where id = ${id}`;
  return row?.status;
}

export function selectRunningRunIds(
  sql: Sql,
  filter: { functionSlug: string; startedBefore: Date; startedAfter?: Date },
) {
  return sql<{ id: string }[]>`
      select id from ${sql(SCHEMA)}.runs
      where function_slug = ${filter.functionSlug} and status = 'Running'
        and started_at < ${filter.startedBefore} and started_at >= ${filter.startedAfter ?? new Date(0)}`;
}

export type StoredWait = {
  id: string;
  run_id: string;
  kind: "event" | "cancel";
  expression: string | null;
  step_id: string | null;
};

/** The live waits and cancellations an event named so, stored as `seq`, may resolve. */
export function selectWaitsFor(sql: Sql, eventName: string, seq: number) {
  return sql<StoredWait[]>`
          select id, run_id, kind, expression, step_id from ${sql(SCHEMA)}.waits
          where event_name = ${eventName} and min_seq < ${seq} and expires_at > now() order by id`;
}

/** Deletes the wait; false when another event consumed it first. */
export async function consumeWait(sql: Sql, waitId: string): Promise<boolean> {
  const consumed = await sql`delete from ${sql(SCHEMA)}.waits where id = ${waitId} returning id`;
  return consumed.length > 0;
}

/** Deletes a timed-out wait and returns it (an invoke wait holds its child's result, if any). */
export async function takeWait(
  sql: Sql,
  waitId: number,
): Promise<{ kind: string; result: unknown } | undefined> {
  const [wait] = await sql<{ kind: string; result: unknown }[]>`
        delete from ${sql(SCHEMA)}.waits where id = ${waitId} returning kind, result`;
  return wait;
}

// ── cron ──────────────────────────────────────────────────────────────────────

export type StoredCron = { function_slug: string; expression: string; next_tick: Date };

export function selectCrons(sql: Sql) {
  return sql<StoredCron[]>`
      select function_slug, expression, next_tick from ${sql(SCHEMA)}.crons`;
}

export function selectAppCrons(sql: Sql, appName: string) {
  return sql<StoredCron[]>`
      select c.function_slug, c.expression, c.next_tick from ${sql(SCHEMA)}.crons c
      join ${sql(SCHEMA)}.functions f on f.slug = c.function_slug where f.app_name = ${appName}`;
}

/**
 * A cron tick: `next_tick` moves from `tick` to `nextTick` and the tick's event and run are
 * stored, in one statement; the ingest part is written only if the tick advanced (another
 * engine, or an earlier attempt, did not take it first).
 */
export async function advanceCron(
  sql: Sql,
  cron: { slug: string; expression: string; tick: Date; nextTick: Date },
  plan: IngestPlan,
): Promise<({ advanced: boolean } & IngestOutcome) | undefined> {
  const ingest = ingestParts(sql, plan, sql`exists (select 1 from advanced)`);
  const [result] = await sql<({ advanced: boolean } & IngestOutcome)[]>`
        with advanced as (
          update ${sql(SCHEMA)}.crons set next_tick = ${cron.nextTick}
          where function_slug = ${cron.slug} and expression = ${cron.expression} and next_tick = ${cron.tick} returning 1
        ), ${ingest.ctes}
        select exists (select 1 from advanced) as advanced, ${ingest.result}`;
  return result;
}

// ── housekeeping ──────────────────────────────────────────────────────────────

/** Deletes runs ended before the cutoff, their unreferenced events, expired dedupe keys and cancel waits. */
export async function pruneHistory(sql: Sql, cutoff: Date): Promise<void> {
  const s = sql(SCHEMA);
  await sql`delete from ${s}.runs where ended_at < ${cutoff}`;
  await sql`delete from ${s}.events e where received_at < ${cutoff}
      and not exists (select 1 from ${s}.runs r where r.event_id = e.internal_id)`;
  await sql`delete from ${s}.dedupe where expires_at < now()`;
  await sql`delete from ${s}.waits where kind = 'cancel' and expires_at < now()`;
}

/** The event names some wait or cancellation listens for. */
export async function selectWaitedNames(sql: Sql): Promise<string[]> {
  const names = await sql<{ event_name: string }[]>`
      select distinct event_name from ${sql(SCHEMA)}.waits where event_name is not null`;
  return names.map((row) => row.event_name);
}
