import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import { runDurationRollups, runRollups, skillRuns } from "@/server/db/schema";
import { TERMINAL_RUN_STATUSES } from "@/lib/enums";

/**
 * The dashboard's rollup (`run_rollups` per hour, `run_duration_rollups` per day). A terminal run's
 * counted fields never change (but for one late usage write, below), so counting each one once,
 * in the statement that marks it counted (`skill_runs.rolled_up`), keeps the rollup exact; the
 * dashboard reads the rollup's whole hours plus the runs not yet counted, in one snapshot.
 */

/** `run_duration_rollups.scope_id` of the rows that count all of a tenant's runs. */
export const WHOLE_TENANT_SCOPE = "00000000-0000-0000-0000-000000000000";

/** A run's hour (or day): `created_at` binned to UTC hours (days) from the epoch. */
export const hourOf = (
  createdAt: SQL | typeof skillRuns.createdAt,
  span: "hour" | "day" = "hour",
) =>
  sql`date_bin(${sql.raw(`'1 ${span}'`)}::interval, ${createdAt}, '1970-01-01T00:00:00Z'::timestamptz)`;

const terminal = sql.raw(TERMINAL_RUN_STATUSES.map((status) => `'${status}'`).join(", "));

/**
 * Folds up to `batchSize` terminal runs not yet counted into the rollup, as one statement: the
 * claim (`for update skip locked`, so two folds never take the same run and never wait on a run
 * being written) marks them counted and feeds both upserts. Returns how many it folded.
 */
export async function foldFinishedRuns(db: Database, batchSize: number): Promise<number> {
  return fold(db, sql`true`, batchSize);
}

/**
 * Folds one run now if it is terminal and not yet counted (an explicit delete, which must not
 * take the run out of the dashboard): the same statement as the cron's, for that id. Run it in
 * the deleting transaction, after locking the run. Returns 1 if it folded the run, else 0.
 */
export async function foldRun(db: Database | Transaction, runId: string): Promise<number> {
  return fold(db, sql`id = ${runId}`, 1);
}

async function fold(db: Database | Transaction, which: SQL, limit: number): Promise<number> {
  const rows = await db.execute<{ folded: number }>(sql`
    with claimed as (
      update ${skillRuns} set rolled_up = true
      where id in (
        select id from ${skillRuns}
        where ${which} and not rolled_up and status in (${terminal})
        limit ${limit} for update skip locked)
      returning tenant_id, ${hourOf(sql`created_at`)} as hour, skill_id, agent_id, model, status,
        failure_code, input_tokens, output_tokens, cost_usd, created_at, started_at, finished_at
    ),
    counted as (
      insert into ${runRollups} (tenant_id, hour, skill_id, agent_id, model, status, failure_code,
        runs, input_tokens, output_tokens, cost_usd)
      select tenant_id, hour, skill_id, agent_id, model, status, failure_code, count(*),
        coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0)
      from claimed group by 1, 2, 3, 4, 5, 6, 7
      on conflict on constraint run_rollups_key do update set
        runs = ${runRollups.runs} + excluded.runs,
        input_tokens = ${runRollups.inputTokens} + excluded.input_tokens,
        output_tokens = ${runRollups.outputTokens} + excluded.output_tokens,
        cost_usd = ${runRollups.costUsd} + excluded.cost_usd
    ),
    timed as (
      insert into ${runDurationRollups} (tenant_id, scope_id, day, kind, bucket, runs)
      select c.tenant_id, s.scope_id, ${hourOf(sql`c.created_at`, "day")}, d.kind, d.bucket, count(*)
      from claimed c
      cross join lateral (values
        ('wait', run_duration_bucket(extract(epoch from c.started_at - c.created_at)::float8)),
        ('work', case when c.status = 'complete'
          then run_duration_bucket(extract(epoch from c.finished_at - c.started_at)::float8) end)
      ) as d(kind, bucket)
      cross join lateral (values (${WHOLE_TENANT_SCOPE}::uuid), (c.skill_id), (c.agent_id)) as s(scope_id)
      where d.bucket is not null and s.scope_id is not null
      group by 1, 2, 3, 4, 5
      on conflict (tenant_id, scope_id, day, kind, bucket) do update set
        runs = ${runDurationRollups.runs} + excluded.runs
    )
    select count(*)::int as folded from claimed`);
  return rows[0]?.folded ?? 0;
}

/**
 * Folds batch after batch until fewer than `batchSize` were left or `maxBatches` ran (the cron's
 * tick; the bench after a seed, unbounded). Returns how many runs it folded.
 */
export async function foldFinishedRunsBacklog(
  db: Database,
  options: { batchSize: number; maxBatches: number },
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < options.maxBatches; batch++) {
    const folded = await foldFinishedRuns(db, options.batchSize);
    total += folded;
    if (folded < options.batchSize) break;
  }
  return total;
}

/**
 * Wraps an UPDATE of one run's usage (`recordUsage`, which may write a cancelled or failed run's
 * tokens after it ended) so that a run already folded has the usage added to its rollup row in
 * the same statement. The UPDATE must return `tenant_id, created_at, skill_id, agent_id, model,
 * status, failure_code, input_tokens, output_tokens, cost_usd, rolled_up`; the statement returns
 * the updated runs' ids. A fold racing the write either waits for it (the run's row lock) and
 * counts the new usage, or ran first, and then the write sees `rolled_up` and adds it here.
 */
export function withLateUsageCounted(update: SQL): SQL {
  return sql`
    with recorded as (${update}),
    counted as (
      insert into ${runRollups} (tenant_id, hour, skill_id, agent_id, model, status, failure_code,
        runs, input_tokens, output_tokens, cost_usd)
      select tenant_id, ${hourOf(sql`created_at`)}, skill_id, agent_id, model, status, failure_code, 0,
        coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(cost_usd, 0)
      from recorded where rolled_up
      on conflict on constraint run_rollups_key do update set
        input_tokens = ${runRollups.inputTokens} + excluded.input_tokens,
        output_tokens = ${runRollups.outputTokens} + excluded.output_tokens,
        cost_usd = ${runRollups.costUsd} + excluded.cost_usd
    )
    select id from recorded`;
}
