import "server-only";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, schedules, skillRuns, skills } from "@/server/db/schema";
import {
  BUCKET_MS,
  DASHBOARD_BUCKET,
  DASHBOARD_WINDOW_SECONDS,
  type DashboardBucket,
} from "@/lib/dashboard";
import {
  FAILURE_CODES,
  RUN_STATUSES,
  SCHEDULE_SLOT_OUTCOMES,
  type FailureCode,
  type RunStatus,
  type ScheduleSlotOutcome,
} from "@/lib/enums";
import type { DashboardInput } from "@/lib/schemas/dashboard";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { ServiceError } from "@/server/services/errors";
import {
  latencyHistogramQuery,
  latencyQuery,
  slotOutcomesQuery,
  statusSeriesQuery,
  usageQuery,
  type DashboardScope,
} from "./dashboard-queries";
import { usageTables } from "./dashboard-usage";
import { histogramPercentile } from "./duration-buckets";

export class DashboardSkillNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_not_found";
  constructor(skillId: string) {
    super(`Skill ${skillId} was not found in this tenant.`);
  }
}

type ByStatus = Record<RunStatus, number>;
type ByOutcome = Record<ScheduleSlotOutcome, number>;
const zeroStatuses = (): ByStatus =>
  Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as ByStatus;
const zeroOutcomes = (): ByOutcome =>
  Object.fromEntries(SCHEDULE_SLOT_OUTCOMES.map((outcome) => [outcome, 0])) as ByOutcome;

/** How many failure codes the "top failure codes" panel lists. */
export const TOP_FAILURE_CODES = 8;

/** The skill and agent filters must name the tenant's own (a built-in skill is everyone's). */
async function checkFilters(db: Database, tenantId: string, input: DashboardInput) {
  const [skill, agent] = await Promise.all([
    input.skillId
      ? db
          .select({ id: skills.id })
          .from(skills)
          .where(
            and(
              eq(skills.id, input.skillId),
              or(isNull(skills.tenantId), eq(skills.tenantId, tenantId)),
            ),
          )
      : null,
    input.agentId
      ? db
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.id, input.agentId), eq(agents.tenantId, tenantId)))
      : null,
  ]);
  if (input.skillId && !skill?.length) throw new DashboardSkillNotFoundError(input.skillId);
  if (input.agentId && !agent?.length) throw new AgentNotFoundError(input.agentId);
}

/** Every bucket start of the window, oldest first, so a quiet hour shows as zero. */
function bucketStarts(from: Date, to: Date, bucket: DashboardBucket): number[] {
  const size = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let at = Math.floor(from.getTime() / size) * size; at <= to.getTime(); at += size)
    starts.push(at);
  return starts;
}

function seriesOf(
  rows: { at: Date; status: RunStatus; runs: number }[],
  scope: DashboardScope,
  bucket: DashboardBucket,
) {
  const byStart = new Map(
    bucketStarts(scope.from, scope.to, bucket).map((at) => [at, zeroStatuses()]),
  );
  for (const row of rows) {
    const counts = byStart.get(new Date(row.at).getTime());
    if (counts) counts[row.status] += row.runs;
  }
  return [...byStart].map(([at, counts]) => ({ at: new Date(at), counts }));
}

function totalsOf(rows: { status: RunStatus; failureCode: FailureCode | null; runs: number }[]) {
  const byStatus = zeroStatuses();
  const byCode = new Map<FailureCode, number>();
  for (const row of rows) {
    byStatus[row.status] += row.runs;
    if (row.status === "failed" && row.failureCode)
      byCode.set(row.failureCode, (byCode.get(row.failureCode) ?? 0) + row.runs);
  }
  const finished = byStatus.complete + byStatus.failed + byStatus.cancelled;
  const failureCodes = [...byCode]
    .map(([code, runs]) => ({ code, runs }))
    // Most frequent first; equal counts in the vocabulary's order, so the list is stable.
    .sort(
      (a, b) => b.runs - a.runs || FAILURE_CODES.indexOf(a.code) - FAILURE_CODES.indexOf(b.code),
    )
    .slice(0, TOP_FAILURE_CODES);
  return {
    runs: RUN_STATUSES.reduce((sum, status) => sum + byStatus[status], 0),
    byStatus,
    finished,
    /** Failed runs among the finished ones (complete, failed or cancelled); null when none finished. */
    failureRate: finished ? byStatus.failed / finished : null,
    failureCodes,
  };
}

async function scheduleHealth(db: Database, scope: DashboardScope) {
  const rows = await slotOutcomesQuery(db, scope);
  const totals = zeroOutcomes();
  const bySchedule = new Map<string, ByOutcome>();
  for (const row of rows) {
    totals[row.outcome] += row.slots;
    const counts = bySchedule.get(row.scheduleId) ?? zeroOutcomes();
    counts[row.outcome] += row.slots;
    bySchedule.set(row.scheduleId, counts);
  }
  const names = bySchedule.size
    ? await db
        .select({ id: schedules.id, name: schedules.name })
        .from(schedules)
        .where(
          and(
            eq(schedules.tenantId, scope.tenantId),
            inArray(schedules.id, [...bySchedule.keys()]),
          ),
        )
    : [];
  const nameOf = new Map(names.map((schedule) => [schedule.id, schedule.name]));
  const trouble = (counts: ByOutcome) =>
    counts.skipped + counts.skipped_budget + counts.missed + counts.failed;
  return {
    totals,
    schedules: [...bySchedule]
      .map(([id, counts]) => ({ id, name: nameOf.get(id) ?? "Deleted schedule", ...counts }))
      .sort((a, b) => trouble(b) - trouble(a) || a.name.localeCompare(b.name)),
  };
}

/** A window up to a day gets exact percentiles; a longer one, its histogram's (within a bucket). */
export const EXACT_PERCENTILES_UP_TO_MS = 86_400_000;

/** queued→start and start→complete p50 and p95 in seconds (null: no run to measure). */
async function windowLatency(db: Database, scope: DashboardScope) {
  if (
    scope.to.getTime() - scope.from.getTime() <= EXACT_PERCENTILES_UP_TO_MS ||
    (scope.skillId && scope.agentId)
  ) {
    const [exact] = await latencyQuery(db, scope);
    return {
      queuedToStart: { p50: exact?.queuedToStartP50 ?? null, p95: exact?.queuedToStartP95 ?? null },
      startToComplete: {
        p50: exact?.startToCompleteP50 ?? null,
        p95: exact?.startToCompleteP95 ?? null,
      },
    };
  }
  const histograms = { wait: new Map<number, number>(), work: new Map<number, number>() };
  for (const row of await latencyHistogramQuery(db, scope))
    histograms[row.kind].set(row.bucket, row.runs);
  const percentiles = (counts: Map<number, number>) => ({
    p50: histogramPercentile(counts, 0.5),
    p95: histogramPercentile(counts, 0.95),
  });
  return {
    queuedToStart: percentiles(histograms.wait),
    startToComplete: percentiles(histograms.work),
  };
}

/**
 * The dashboard of one tenant: its runs created in the window ending at `at` (now), narrowed
 * to a skill and/or an agent. Every figure comes from the tenant's rows only.
 */
export async function dashboardOverview(
  db: Database,
  tenantId: string,
  input: DashboardInput,
  at: Date = new Date(),
) {
  await checkFilters(db, tenantId, input);
  const scope: DashboardScope = {
    tenantId,
    from: new Date(at.getTime() - DASHBOARD_WINDOW_SECONDS[input.window] * 1000),
    to: at,
    skillId: input.skillId,
    agentId: input.agentId,
  };
  const bucket = DASHBOARD_BUCKET[input.window];
  const [statusRows, latency, usageRows, schedulesHealth, anyRun] = await Promise.all([
    statusSeriesQuery(db, scope, bucket),
    windowLatency(db, scope),
    usageQuery(db, scope),
    scheduleHealth(db, scope),
    db
      .select({ id: skillRuns.id })
      .from(skillRuns)
      .where(eq(skillRuns.tenantId, tenantId))
      .limit(1),
  ]);
  return {
    window: input.window,
    from: scope.from,
    to: scope.to,
    bucket,
    /** False for a tenant that has never run anything: the page shows how to start. */
    hasRuns: anyRun.length > 0,
    totals: totalsOf(statusRows),
    latency,
    series: seriesOf(statusRows, scope, bucket),
    usage: await usageTables(db, tenantId, usageRows),
    schedules: schedulesHealth,
  };
}
export type DashboardOverview = Awaited<ReturnType<typeof dashboardOverview>>;
