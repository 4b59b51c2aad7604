import "server-only";
import { and, count, eq, gte, inArray, lte, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { scheduleSlots, schedules, skillRuns } from "@/server/db/schema";
import type { DashboardBucket } from "@/lib/dashboard";

/**
 * The dashboard's aggregates, one query per panel. Each reads a tenant's runs created in
 * [from, to] from `skill_runs_dashboard_idx` (or its slots from `schedule_slots_health_idx`)
 * alone: every column it touches is in the index, so a window of a large tenant is an
 * index-only range scan (scripts/bench/dashboard.ts checks the plans). Exported for the bench,
 * which times each query's SQL on its own.
 */
export type DashboardScope = {
  tenantId: string;
  from: Date;
  to: Date;
  skillId?: string;
  agentId?: string;
};

function runsInScope(scope: DashboardScope): SQL | undefined {
  return and(
    eq(skillRuns.tenantId, scope.tenantId),
    gte(skillRuns.createdAt, scope.from),
    lte(skillRuns.createdAt, scope.to),
    scope.skillId ? eq(skillRuns.skillId, scope.skillId) : undefined,
    scope.agentId ? eq(skillRuns.agentId, scope.agentId) : undefined,
  );
}

/**
 * Runs per UTC hour or day, status and failure code: the series, and summed, the totals, the
 * failure rate and the top failure codes (one scan for all four).
 */
export function statusSeriesQuery(db: Database, scope: DashboardScope, bucket: DashboardBucket) {
  // date_bin from the epoch: UTC hours and days without a time zone conversion per row.
  const bucketStart = sql<Date>`date_bin(${sql.raw(`'1 ${bucket}'`)}::interval, ${skillRuns.createdAt}, '1970-01-01T00:00:00Z'::timestamptz)`;
  return db
    .select({
      at: bucketStart.mapWith(skillRuns.createdAt),
      status: skillRuns.status,
      failureCode: skillRuns.failureCode,
      runs: count(),
    })
    .from(skillRuns)
    .where(runsInScope(scope))
    .groupBy(bucketStart, skillRuns.status, skillRuns.failureCode);
}

/**
 * Seconds from queued to started (every run that started) and from started to complete (complete
 * runs), p50 and p95 by nearest rank (`percentile_disc`: a duration some run really took). The
 * intervals are sorted as they are; only the four answers are turned into seconds.
 */
export function latencyQuery(db: Database, scope: DashboardScope) {
  const waited = sql`percentile_disc(array[0.5, 0.95]) within group (order by ${skillRuns.startedAt} - ${skillRuns.createdAt})`;
  const worked = sql`percentile_disc(array[0.5, 0.95]) within group (order by ${skillRuns.finishedAt} - ${skillRuns.startedAt}) filter (where ${skillRuns.status} = 'complete')`;
  const inner = db
    .select({ waited: sql`${waited}`.as("waited"), worked: sql`${worked}`.as("worked") })
    .from(skillRuns)
    .where(runsInScope(scope))
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

/** Runs, tokens and cost by skill, by agent and by model: one scan, three grouping sets. */
export function usageQuery(db: Database, scope: DashboardScope) {
  const sum = (column: AnyColumn) =>
    sql<number>`coalesce(sum(${column}), 0)::float8`.mapWith(Number);
  return db
    .select({
      groupedBy: sql<"skill" | "agent" | "model">`case
        when grouping(${skillRuns.skillId}) = 0 then 'skill'
        when grouping(${skillRuns.agentId}) = 0 then 'agent'
        else 'model' end`,
      skillId: skillRuns.skillId,
      agentId: skillRuns.agentId,
      model: skillRuns.model,
      runs: count(),
      inputTokens: sum(skillRuns.inputTokens),
      outputTokens: sum(skillRuns.outputTokens),
      costUsd: sum(skillRuns.costUsd),
    })
    .from(skillRuns)
    .where(runsInScope(scope))
    .groupBy(
      sql`grouping sets ((${skillRuns.skillId}), (${skillRuns.agentId}), (${skillRuns.model}))`,
    );
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
