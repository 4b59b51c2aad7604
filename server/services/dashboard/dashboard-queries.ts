import "server-only";
import { and, count, eq, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import {
  runDurationRollups,
  runRollups,
  scheduleSlots,
  schedules,
  skillRuns,
} from "@/server/db/schema";
import type { DashboardBucket } from "@/lib/dashboard";
import type { FailureCode, RunStatus } from "@/lib/enums";
import { WHOLE_TENANT_SCOPE, hourOf } from "@/server/services/runs/run-rollup";

/**
 * The dashboard's aggregates, one query per panel. A window's whole UTC hours come from the
 * hourly rollup `run_rollups` (whole days from the daily duration histograms,
 * `run_duration_rollups`); the runs the rollup has not counted come from `skill_runs` itself: the
 * partial hours (days) at the window's two edges (`skill_runs_dashboard_idx`, index-only) and,
 * inside it, the runs not folded yet (`skill_runs_unrolled_idx`: the unfinished ones and those
 * finished since the last fold). Each
 * query is one statement, so one snapshot: a fold commits a run's `rolled_up` and its rollup
 * rows together, and every run is counted exactly once. Exported for the bench, which times
 * each query's SQL on its own.
 */
export type DashboardScope = {
  tenantId: string;
  from: Date;
  to: Date;
  skillId?: string;
  agentId?: string;
};

const SPAN_MS = { hour: 3_600_000, day: 86_400_000 } as const;
type Span = keyof typeof SPAN_MS;

/** The window's whole hours (days) [fullFrom, fullTo); the rest of it is read from the runs. */
export function wholeSpans(scope: DashboardScope, span: Span) {
  const size = SPAN_MS[span];
  const fullFrom = new Date(Math.ceil(scope.from.getTime() / size) * size);
  const floorTo = Math.floor(scope.to.getTime() / size) * size;
  return { fullFrom, fullTo: new Date(Math.max(fullFrom.getTime(), floorTo)) };
}

function runFilters(scope: DashboardScope) {
  return and(
    eq(skillRuns.tenantId, scope.tenantId),
    scope.skillId ? eq(skillRuns.skillId, scope.skillId) : undefined,
    scope.agentId ? eq(skillRuns.agentId, scope.agentId) : undefined,
  );
}

/**
 * The runs the rollup does not answer for: the window's head and tail (partial hours or days,
 * every run) and its whole spans' runs not folded yet. Three conditions, each one index range.
 */
function uncountedRuns(scope: DashboardScope, span: Span): SQL[] {
  const { fullFrom, fullTo } = wholeSpans(scope, span);
  const filters = runFilters(scope);
  return [
    and(filters, gte(skillRuns.createdAt, scope.from), lt(skillRuns.createdAt, fullFrom), lte(skillRuns.createdAt, scope.to)), // prettier-ignore
    and(filters, gte(skillRuns.createdAt, fullTo), gte(skillRuns.createdAt, scope.from), lte(skillRuns.createdAt, scope.to)), // prettier-ignore
    and(filters, sql`not ${skillRuns.rolledUp}`, gte(skillRuns.createdAt, fullFrom), lt(skillRuns.createdAt, fullTo)), // prettier-ignore
  ].flatMap((condition) => (condition ? [condition] : []));
}

/**
 * Every run of the window as rollup-shaped rows (hour, status, skill, agent, model, failure
 * code → runs, tokens, cost): the rollup's whole hours, then each uncounted run as a row of one.
 */
function windowRuns(scope: DashboardScope): SQL {
  const { fullFrom, fullTo } = wholeSpans(scope, "hour");
  const rolled = sql`
    select hour, status, skill_id, agent_id, model, failure_code, runs, input_tokens, output_tokens, cost_usd
    from ${runRollups}
    where ${and(
      eq(runRollups.tenantId, scope.tenantId),
      gte(runRollups.hour, fullFrom),
      lt(runRollups.hour, fullTo),
      scope.skillId ? eq(runRollups.skillId, scope.skillId) : undefined,
      scope.agentId ? eq(runRollups.agentId, scope.agentId) : undefined,
    )}`;
  const raw = uncountedRuns(scope, "hour").map(
    (condition) => sql`
    select ${hourOf(skillRuns.createdAt)}, status, skill_id, agent_id, model, failure_code, 1,
      coalesce(input_tokens, 0)::bigint, coalesce(output_tokens, 0)::bigint, coalesce(cost_usd, 0)::numeric
    from ${skillRuns} where ${condition}`,
  );
  return sql`(${sql.join([rolled, ...raw], sql` union all `)}) as window_runs`;
}

export type StatusSeriesRow = {
  at: Date;
  status: RunStatus;
  failureCode: FailureCode | null;
  runs: number;
};

/**
 * Runs per UTC hour or day, status and failure code: the series, and summed, the totals, the
 * failure rate and the top failure codes (one statement for all four).
 */
export function statusSeriesQuery(db: Database, scope: DashboardScope, bucket: DashboardBucket) {
  // date_bin from the epoch: UTC hours and days; a rollup hour lies inside one bucket.
  const bucketStart = sql<Date>`date_bin(${sql.raw(`'1 ${bucket}'`)}::interval, hour, '1970-01-01T00:00:00Z'::timestamptz)`;
  return db
    .select({
      at: bucketStart.mapWith(skillRuns.createdAt),
      status: sql<RunStatus>`status`,
      failureCode: sql<FailureCode | null>`failure_code`,
      runs: sql<number>`sum(runs)::int`.mapWith(Number),
    })
    .from(windowRuns(scope))
    .groupBy(sql`1, 2, 3`);
}

/** Runs, tokens and cost by skill, by agent and by model: three grouping sets. */
export function usageQuery(db: Database, scope: DashboardScope) {
  const sum = (column: string) =>
    sql<number>`coalesce(sum(${sql.raw(column)}), 0)::float8`.mapWith(Number);
  return db
    .select({
      groupedBy: sql<"skill" | "agent" | "model">`case
        when grouping(skill_id) = 0 then 'skill'
        when grouping(agent_id) = 0 then 'agent'
        else 'model' end`,
      skillId: sql<string | null>`skill_id`,
      agentId: sql<string | null>`agent_id`,
      model: sql<string | null>`model`,
      runs: sql<number>`sum(runs)::int`.mapWith(Number),
      inputTokens: sum("input_tokens"),
      outputTokens: sum("output_tokens"),
      costUsd: sum("cost_usd"),
    })
    .from(windowRuns(scope))
    .groupBy(sql`grouping sets ((skill_id), (agent_id), (model))`);
}

/**
 * Seconds from queued to started (every run that started) and from started to complete (complete
 * runs), p50 and p95 by nearest rank (`percentile_disc`: a duration some run really took), over
 * the window's runs themselves (`skill_runs_dashboard_idx`). For windows up to a week.
 */
export function latencyQuery(db: Database, scope: DashboardScope) {
  const runsInScope = and(
    runFilters(scope),
    gte(skillRuns.createdAt, scope.from),
    lte(skillRuns.createdAt, scope.to),
  );
  const waited = sql`percentile_disc(array[0.5, 0.95]) within group (order by ${skillRuns.startedAt} - ${skillRuns.createdAt})`;
  const worked = sql`percentile_disc(array[0.5, 0.95]) within group (order by ${skillRuns.finishedAt} - ${skillRuns.startedAt}) filter (where ${skillRuns.status} = 'complete')`;
  const inner = db
    .select({ waited: sql`${waited}`.as("waited"), worked: sql`${worked}`.as("worked") })
    .from(skillRuns)
    .where(runsInScope)
    .as("latency");
  const seconds = (column: SQL, index: 1 | 2) =>
    sql<number | null>`extract(epoch from (${column})[${sql.raw(String(index))}])::float8`;
  return db
    .select({
      queuedToStartP50: seconds(sql`${inner.waited}`, 1),
      queuedToStartP95: seconds(sql`${inner.waited}`, 2),
      startToCompleteP50: seconds(sql`${inner.worked}`, 1),
      startToCompleteP95: seconds(sql`${inner.worked}`, 2),
    })
    .from(inner);
}

/**
 * The window's duration histograms (`run_duration_bucket`'s buckets) for one scope: the whole
 * tenant, a skill or an agent (not both: that narrow a window reads `latencyQuery`). The
 * rollup's whole days plus each uncounted run's two durations (the partial days at the edges,
 * at most two days of runs, and the whole days' runs not folded yet).
 */
export function latencyHistogramQuery(db: Database, scope: DashboardScope) {
  const { fullFrom, fullTo } = wholeSpans(scope, "day");
  const rolled = sql`
    select kind, bucket, runs from ${runDurationRollups}
    where ${and(
      eq(runDurationRollups.tenantId, scope.tenantId),
      eq(runDurationRollups.scopeId, scope.skillId ?? scope.agentId ?? WHOLE_TENANT_SCOPE),
      gte(runDurationRollups.day, fullFrom),
      lt(runDurationRollups.day, fullTo),
    )}`;
  const raw = uncountedRuns(scope, "day").map(
    (condition) => sql`
    select d.kind, d.bucket, 1 from ${skillRuns}
    cross join lateral (values
      ('wait', run_duration_bucket(extract(epoch from ${skillRuns.startedAt} - ${skillRuns.createdAt})::float8)),
      ('work', case when ${skillRuns.status} = 'complete'
        then run_duration_bucket(extract(epoch from ${skillRuns.finishedAt} - ${skillRuns.startedAt})::float8) end)
    ) as d(kind, bucket)
    where ${condition} and d.bucket is not null`,
  );
  return db
    .select({
      kind: sql<"wait" | "work">`kind`,
      bucket: sql<number>`bucket`.mapWith(Number),
      runs: sql<number>`sum(runs)::int`.mapWith(Number),
    })
    .from(sql`(${sql.join([rolled, ...raw], sql` union all `)}) as window_durations`)
    .groupBy(sql`1, 2`);
}

/** Schedule slots in the window by schedule and outcome; narrowed by the schedule's skill or agent. */
export function slotOutcomesQuery(db: Database, scope: DashboardScope) {
  const narrowed = scope.skillId || scope.agentId;
  return db
    .select({
      scheduleId: scheduleSlots.scheduleId,
      outcome: scheduleSlots.outcome,
      slots: count(),
    })
    .from(scheduleSlots)
    .where(
      and(
        eq(scheduleSlots.tenantId, scope.tenantId),
        gte(scheduleSlots.slotAt, scope.from),
        lte(scheduleSlots.slotAt, scope.to),
        narrowed
          ? inArray(
              scheduleSlots.scheduleId,
              db
                .select({ id: schedules.id })
                .from(schedules)
                .where(
                  and(
                    eq(schedules.tenantId, scope.tenantId),
                    scope.skillId ? eq(schedules.skillId, scope.skillId) : undefined,
                    scope.agentId ? eq(schedules.agentId, scope.agentId) : undefined,
                  ),
                ),
            )
          : undefined,
      ),
    )
    .groupBy(scheduleSlots.scheduleId, scheduleSlots.outcome);
}
