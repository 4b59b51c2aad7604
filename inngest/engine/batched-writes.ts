/**
 * The engine's hot writes — ingest, lease, step persist, checkpoint, finalize — each as one
 * statement over per-run rows (`unnest` of parallel arrays), so a group commit (group-commit.ts)
 * sends the writes of many runs as one statement, and a lone write the same statement with one
 * row. Each returns one outcome per write, in order. Every per-run condition of the single-run
 * statements holds per row: a row whose run is no longer running, or whose lease generation is
 * stale, changes nothing and reads as not written.
 */
import postgres from "postgres";
import {
  ingestParts,
  mergeIngestPlans,
  splitIngestOutcome,
  type IngestOutcome,
  type IngestPlan,
} from "./ingest-statement";
import { SCHEMA, type Sql } from "./store";

/**
 * A statement PostgreSQL answered with an error did not commit, so its rows may be written
 * again one by one; after a lost connection it may have committed, and must not be.
 */
export function refusedByServer(error: unknown): boolean {
  return error instanceof postgres.PostgresError;
}

/** Appends a write's ids to `stack`, in order, skipping any already there. */
const APPEND_STACK = `array(select id from jsonb_array_elements_text(i.ids) with ordinality as u(id, n) where not (id = any(r.stack)) order by n)`;

// ── ingest ────────────────────────────────────────────────────────────────────

export async function writeIngests(sql: Sql, plans: IngestPlan[]): Promise<IngestOutcome[]> {
  const ingest = ingestParts(sql, mergeIngestPlans(plans));
  const [outcome] = await sql<IngestOutcome[]>`with ${ingest.ctes} select ${ingest.result}`;
  return splitIngestOutcome(outcome, plans);
}

// ── lease ─────────────────────────────────────────────────────────────────────

export type LeaseOutcome = { leaseGen: number; attempt: number } | null;

/**
 * Leases queue items for one dispatch each: a new lease generation, and the attempt as stored
 * (a checkpoint from an interrupted request may have reset it). Null for an item that is gone.
 */
export async function writeLeases(sql: Sql, queueIds: number[]): Promise<LeaseOutcome[]> {
  const rows = await sql<{ id: string; lease_gen: number; attempt: number }[]>`
    update ${sql(SCHEMA)}.queue q set leased_at = now(), lease_gen = q.lease_gen + 1
    from unnest(${queueIds}::bigint[]) as i(id) where q.id = i.id
    returning q.id, q.lease_gen, q.attempt`;
  const leased = new Map(rows.map((row) => [Number(row.id), row]));
  return queueIds.map((id) => {
    const row = leased.get(id);
    return row ? { leaseGen: row.lease_gen, attempt: row.attempt } : null;
  });
}

// ── checkpoint ────────────────────────────────────────────────────────────────

export type CheckpointWrite = {
  runId: string;
  queueId: number;
  leaseGen: number;
  /** `{id: value}` of the new steps, serialized once. */
  steps: string;
  ids: string[];
  /** `{id: record}` of the `defer()` records the checkpoint adds or changes (defer.ts). */
  defers: string;
};

/** Whether each checkpoint saved: its dispatch still held the lease and its run was running. */
export async function writeCheckpoints(sql: Sql, writes: CheckpointWrite[]): Promise<boolean[]> {
  const s = sql(SCHEMA);
  // The queue row is updated first: its row lock orders this against a new lease of the item,
  // and the lease generation is checked again on the row as committed.
  const [row] = await sql<{ saved: string[] }[]>`
    with i as (
      select * from unnest(${writes.map((write) => write.runId)}::text[], ${writes.map((write) => write.queueId)}::bigint[],
        ${writes.map((write) => write.leaseGen)}::int[], ${writes.map((write) => write.steps)}::text[]::jsonb[],
        ${writes.map((write) => JSON.stringify(write.ids))}::text[]::jsonb[], ${writes.map((write) => write.defers)}::text[]::jsonb[])
        as i(run_id, queue_id, lease_gen, steps, ids, defers)
    ), lease as (
      update ${s}.queue q set attempt = 0 from i
      where q.id = i.queue_id and q.run_id = i.run_id and q.lease_gen = i.lease_gen
      returning q.run_id
    ), saved as (
      update ${s}.runs r set steps = r.steps || i.steps, stack = r.stack || ${sql.unsafe(APPEND_STACK)},
        defers = r.defers || i.defers
      from i where r.id = i.run_id and r.status = 'Running' and i.run_id in (select run_id from lease)
      returning r.id
    )
    select coalesce(array_agg(id), '{}') as saved from saved`;
  const saved = new Set(row?.saved ?? []);
  return writes.map((write) => saved.has(write.runId));
}

// ── finalize ──────────────────────────────────────────────────────────────────

export type FinalizeWrite = {
  runId: string;
  status: "Completed" | "Failed" | "Cancelled";
  /** The run's output, serialized. */
  output: string;
  steps: string;
  ids: string[];
  /** `{id: record}` of the `defer()` records not yet stored (defer.ts). */
  defers: string;
  /** The waiter this run's slots go to, leased in the same statement. */
  waiterQueueId: number | null;
  /** Lifecycle events (owned by `runId`) and the runs they start. */
  plan: IngestPlan;
};
export type FinalizeOutcome = { finished: boolean; handoffGen: number | null } & IngestOutcome;

export async function writeFinalizes(
  sql: Sql,
  writes: FinalizeWrite[],
): Promise<FinalizeOutcome[]> {
  const s = sql(SCHEMA);
  const plans = writes.map((write) => write.plan);
  const ingest = ingestParts(
    sql,
    mergeIngestPlans(plans),
    sql`e.owner in (select id from finished)`,
  );
  const [row] = await sql<
    ({
      finished: string[];
      handoffs: { run_id: string; lease_gen: number }[] | null;
    } & IngestOutcome)[]
  >`
    with i as (
      select * from unnest(${writes.map((write) => write.runId)}::text[], ${writes.map((write) => write.status)}::text[],
        ${writes.map((write) => write.output)}::text[]::jsonb[], ${writes.map((write) => write.steps)}::text[]::jsonb[],
        ${writes.map((write) => JSON.stringify(write.ids))}::text[]::jsonb[], ${writes.map((write) => write.defers)}::text[]::jsonb[],
        ${writes.map((write) => write.waiterQueueId ?? -1)}::bigint[])
        as i(run_id, status, output, steps, ids, defers, waiter)
    ), finished as (
      update ${s}.runs r set status = i.status, output = i.output, ended_at = now(),
        steps = r.steps || i.steps, stack = r.stack || ${sql.unsafe(APPEND_STACK)}, pending = '{}',
        defers = r.defers || i.defers
      from i where r.id = i.run_id and r.status = 'Running'
      returning r.id
    ), queue as (
      delete from ${s}.queue where run_id in (select id from finished)
    ), waits as (
      delete from ${s}.waits where run_id in (select id from finished)
    ), handoff as (
      update ${s}.queue q set leased_at = now(), lease_gen = q.lease_gen + 1
      from i where q.id = i.waiter and i.run_id in (select id from finished)
      returning i.run_id, q.lease_gen
    ), ${ingest.ctes}
    select coalesce((select array_agg(id) from finished), '{}') as finished,
      (select json_agg(handoff) from handoff) as handoffs, ${ingest.result}`;
  const finished = new Set(row?.finished ?? []);
  const handoffs = new Map((row?.handoffs ?? []).map((handoff) => [handoff.run_id, handoff]));
  const outcomes = splitIngestOutcome(row, plans);
  return writes.map((write, index) => ({
    finished: finished.has(write.runId),
    handoffGen: handoffs.get(write.runId)?.lease_gen ?? null,
    ...(outcomes[index] ?? { events: null, runs: null, resumed: null }),
  }));
}

// ── persist ───────────────────────────────────────────────────────────────────

export type QueueRowWrite = {
  kind: string;
  stepId: string;
  attempt: number;
  runAt: number;
  wait?: {
    kind: string;
    eventName: string | null;
    expression: string | null;
    correlationId: string | null;
    expiresAt: number;
  };
  leased?: boolean;
};

export type PersistWrite = {
  runId: string;
  steps: string;
  ids: string[];
  pending: string[];
  forceStepPlan: boolean;
  /** `{id: record}` of the `defer()` records not yet stored (defer.ts). */
  defers: string;
  consumedQueueId: number | null;
  consumedWaitId: number | null;
  next: QueueRowWrite[];
  waiterQueueId: number | null;
  /** `step.invoke` events (owned by `runId`) and the child runs they start. */
  plan: IngestPlan;
};
export type PersistOutcome = {
  updated: boolean;
  handoffGen: number | null;
  deleted: number[];
  inserted: { id: number; step_id: string; kind: string; wait_id: number | null }[];
} & IngestOutcome;

export async function writePersists(sql: Sql, writes: PersistWrite[]): Promise<PersistOutcome[]> {
  const s = sql(SCHEMA);
  const plans = writes.map((write) => write.plan);
  const ingest = ingestParts(
    sql,
    mergeIngestPlans(plans),
    sql`e.owner in (select id from updated)`,
  );
  const next = writes.flatMap((write) => write.next.map((item) => ({ runId: write.runId, item })));
  const [row] = await sql<PersistRow[]>`
    with i as (
      select * from unnest(${writes.map((write) => write.runId)}::text[], ${writes.map((write) => write.steps)}::text[]::jsonb[],
        ${writes.map((write) => JSON.stringify(write.ids))}::text[]::jsonb[], ${writes.map((write) => JSON.stringify(write.pending))}::text[]::jsonb[],
        ${writes.map((write) => (write.forceStepPlan ? "t" : "f"))}::text[]::boolean[], ${writes.map((write) => write.consumedQueueId ?? -1)}::bigint[],
        ${writes.map((write) => write.consumedWaitId ?? -1)}::bigint[], ${writes.map((write) => write.waiterQueueId ?? -1)}::bigint[],
        ${writes.map((write) => write.defers)}::text[]::jsonb[])
        as i(run_id, steps, ids, pending, force_step_plan, consumed, consumed_wait, waiter, defers)
    ), updated as (
      update ${s}.runs r set steps = r.steps || i.steps, stack = r.stack || ${sql.unsafe(APPEND_STACK)},
        pending = array(select jsonb_array_elements_text(i.pending)), force_step_plan = i.force_step_plan,
        defers = r.defers || i.defers
      from i where r.id = i.run_id and r.status = 'Running'
      returning r.id
    ), deleted as (
      delete from ${s}.queue q using i
      where q.id = i.consumed or (i.consumed_wait > 0 and q.wait_id = i.consumed_wait)
      returning q.id, i.run_id
    ), items as (
      select * from unnest(
        ${next.map(({ runId }) => runId)}::text[],
        ${next.map(({ item }) => item.kind)}::text[], ${next.map(({ item }) => item.stepId)}::text[], ${next.map(({ item }) => item.attempt)}::int[],
        ${next.map(({ item }) => new Date(item.runAt).toISOString())}::timestamptz[], ${next.map(({ item }) => item.wait?.kind ?? null)}::text[],
        ${next.map(({ item }) => item.wait?.eventName ?? null)}::text[], ${next.map(({ item }) => item.wait?.expression ?? null)}::text[],
        ${next.map(({ item }) => item.wait?.correlationId ?? null)}::text[], ${next.map(({ item }) => (item.wait ? new Date(item.wait.expiresAt).toISOString() : null))}::timestamptz[],
        ${next.map(({ item }) => (item.leased ? "t" : "f"))}::text[]::boolean[]
      ) as item(run_id, kind, step_id, attempt, run_at, wait_kind, event_name, expression, correlation_id, expires_at, leased)
      where item.run_id in (select id from updated)
    ), waits as (
      insert into ${s}.waits (run_id, kind, event_name, expression, step_id, correlation_id, min_seq, expires_at)
      select run_id, wait_kind, event_name, expression, step_id, correlation_id, nextval(${`${SCHEMA}.seq`}), expires_at
      from items where wait_kind is not null
      returning id, run_id, step_id
    ), inserted as (
      insert into ${s}.queue (run_id, kind, step_id, attempt, run_at, wait_id, leased_at, lease_gen)
      select items.run_id, items.kind, items.step_id, items.attempt, items.run_at, waits.id,
        case when items.leased then now() end, case when items.leased then 1 else 0 end
      from items left join waits on waits.run_id = items.run_id and waits.step_id = items.step_id
      returning id, run_id, step_id, kind, wait_id
    ), handoff as (
      update ${s}.queue q set leased_at = now(), lease_gen = q.lease_gen + 1
      from i where q.id = i.waiter and i.run_id in (select id from updated)
      returning i.run_id, q.lease_gen
    ), ${ingest.ctes}
    select coalesce((select array_agg(id) from updated), '{}') as updated,
      (select json_agg(handoff) from handoff) as handoffs, (select json_agg(deleted) from deleted) as deleted,
      (select json_agg(inserted) from inserted) as inserted, ${ingest.result}`;
  return persistOutcomes(writes, row);
}

type PersistRow = {
  updated: string[];
  handoffs: { run_id: string; lease_gen: number }[] | null;
  deleted: { id: number; run_id: string }[] | null;
  inserted:
    { id: number; run_id: string; step_id: string; kind: string; wait_id: number | null }[] | null;
} & IngestOutcome;

/** Each write's share of a persist statement's result. */
function persistOutcomes(writes: PersistWrite[], row: PersistRow | undefined): PersistOutcome[] {
  const updated = new Set(row?.updated ?? []);
  const handoffs = new Map((row?.handoffs ?? []).map((handoff) => [handoff.run_id, handoff]));
  const outcomes = splitIngestOutcome(
    row,
    writes.map((write) => write.plan),
  );
  return writes.map((write, index) => ({
    updated: updated.has(write.runId),
    handoffGen: handoffs.get(write.runId)?.lease_gen ?? null,
    deleted: (row?.deleted ?? [])
      .filter((deleted) => deleted.run_id === write.runId)
      .map((deleted) => Number(deleted.id)),
    inserted: (row?.inserted ?? [])
      .filter((inserted) => inserted.run_id === write.runId)
      .map(({ id, step_id, kind, wait_id }) => ({ id: Number(id), step_id, kind, wait_id })),
    ...(outcomes[index] ?? { events: null, runs: null, resumed: null }),
  }));
}

/** The keys two writes of one run, or of runs one hands a slot to, share (see GroupCommit). */
export function runKeys(runId: string, waiterRunId: string | undefined): string[] {
  return waiterRunId === undefined ? [`run:${runId}`] : [`run:${runId}`, `run:${waiterRunId}`];
}
