/**
 * The rollup-backed dashboard against the runs themselves: at every moment (nothing folded,
 * part folded, runs finishing between folds, a late usage write, all folded) each figure of
 * every window and filter equals what plain aggregates over skill_runs answer; percentiles of
 * windows past a day are the bucket of the exact nearest-rank value.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_BUCKET, DASHBOARD_WINDOW_SECONDS, type DashboardWindow } from "@/lib/dashboard";
import { TERMINAL_RUN_STATUSES, type FailureCode, type RunStatus } from "@/lib/enums";
import { ZERO_USAGE } from "@/server/agent/usage";
import { agents, skillRuns, skills } from "@/server/db/schema";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { recordUsage } from "@/server/services/runs/run-lifecycle";
import { foldFinishedRuns } from "@/server/services/runs/run-rollup";
import { transitionRun } from "@/server/services/runs/run-timeline";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { dashboardOverview, EXACT_PERCENTILES_UP_TO_MS } from "./dashboard";
import { bucketUpperEdge, histogramPercentile, OPEN_BUCKET } from "./duration-buckets";

const { db } = openTestDatabase();

// Not on an hour: every window has a partial first and last hour.
const AT = new Date("2026-03-10T12:34:56.789Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(AT.getTime() - ms);

let tenantId: string;
let skillIds: string[];
let agentIds: string[];
const inFlight: string[] = [];
const cancelledWithoutUsage: string[] = [];

const WAITS = [0.004, 0.05, 0.3, 1.5, 7, 45, 130];
const WORKS = [3, 12.5, 70, 300, 2_000];
const MODELS = ["openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5", null];
const CODES: FailureCode[] = ["timeout", "model_error", "guardrail_blocked"];

async function insertRun(values: {
  createdAt: Date;
  status: RunStatus;
  index: number;
}): Promise<string> {
  const { createdAt, status, index } = values;
  const started = status !== "queued" && !(status === "cancelled" && index % 2 === 0);
  const startedAt = started ? new Date(createdAt.getTime() + WAITS[index % WAITS.length]! * 1000) : null; // prettier-ignore
  const finishedAt =
    startedAt && TERMINAL_RUN_STATUSES.includes(status as never)
      ? new Date(startedAt.getTime() + WORKS[index % WORKS.length]! * 1000)
      : null;
  const priced = status === "complete" || status === "failed";
  const [row] = await db
    .insert(skillRuns)
    .values({
      tenantId,
      skillId: skillIds[index % skillIds.length]!,
      skillVersion: "v1",
      agentId: index % 7 === 0 ? null : agentIds[index % agentIds.length]!,
      source: "manual",
      inputs: {},
      status,
      failureCode: status === "failed" ? CODES[index % CODES.length] : undefined,
      failureReason: status === "failed" ? "It failed." : undefined,
      createdAt,
      startedAt,
      finishedAt,
      inputTokens: priced ? 100 + index : undefined,
      outputTokens: priced ? 10 + index : undefined,
      costUsd: priced ? (0.000137 * (index + 1)).toFixed(6) : undefined,
    })
    .returning({ id: skillRuns.id });
  const model = MODELS[index % MODELS.length];
  if (model)
    await db.execute(
      sql`update skill_runs set config_snapshot = jsonb_build_object('model', ${model}::text) where id = ${row!.id}`,
    );
  return row!.id;
}

beforeAll(async () => {
  const base = await createTenantWithSkill(db);
  tenantId = base.tenant.id;
  const [other] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: "tenant",
      slug: `other-${randomUUID().slice(0, 8)}`,
      name: "Other skill",
      description: "Another.",
      versionHash: "v1",
      ...inputsColumnsOf({ type: "object", properties: {} }),
      instructions: "Do it.",
    })
    .returning();
  const [otherAgent] = await db
    .insert(agents)
    .values({ tenantId, name: "Other agent", templateId: base.template.id })
    .returning();
  skillIds = [base.skill.id, other!.id];
  agentIds = [base.agent.id, otherAgent!.id];

  const statuses: RunStatus[] = ["complete", "complete", "failed", "cancelled", "complete"];
  // Spread over 31 days at uneven steps, so they fall in many hours and both window edges.
  const times: Date[] = [];
  for (let k = 0; k < 90; k++) times.push(ago(k * 8.37 * HOUR + ((k * 7_919) % 3_600) * 1_000));
  // Edges: each window's first millisecond (in) and the one before (out); hour boundaries.
  for (const window of [DAY, 7 * DAY, 30 * DAY]) times.push(ago(window), ago(window + 1));
  const hourStart = Math.floor(AT.getTime() / HOUR) * HOUR;
  times.push(new Date(hourStart), new Date(hourStart - 1), new Date(hourStart - 5 * HOUR), AT);
  for (const [index, createdAt] of times.entries()) {
    const status = statuses[index % statuses.length]!;
    const id = await insertRun({ createdAt, status, index });
    if (status === "cancelled" && index % 2 === 0) cancelledWithoutUsage.push(id);
  }
  // Runs in flight: the newest are queued or running.
  for (const [index, createdAt] of [ago(3 * HOUR), ago(2 * HOUR), ago(HOUR), ago(60_000)].entries())
    inFlight.push(await insertRun({ createdAt, status: index % 2 ? "running" : "queued", index }));
  // Another tenant's runs, folded with these, count for nobody else.
  const other2 = await createTenantWithSkill(db);
  await db.insert(skillRuns).values({
    tenantId: other2.tenant.id,
    skillId: other2.skill.id,
    skillVersion: "v1",
    agentId: other2.agent.id,
    source: "manual",
    inputs: {},
    status: "complete",
    createdAt: ago(2 * DAY),
    startedAt: ago(2 * DAY),
    finishedAt: ago(2 * DAY - 1000),
    inputTokens: 5,
    outputTokens: 5,
    costUsd: "9.000000",
  });
});

type Filter = { skillId?: string; agentId?: string };

/** The same figures as plain aggregates over the tenant's runs in the window. */
async function reference(window: DashboardWindow, filter: Filter) {
  const from = ago(DASHBOARD_WINDOW_SECONDS[window] * 1000).toISOString();
  const where = sql`tenant_id = ${tenantId} and created_at >= ${from}::timestamptz and created_at <= ${AT.toISOString()}::timestamptz
    and (${filter.skillId ?? null}::uuid is null or skill_id = ${filter.skillId ?? null}::uuid)
    and (${filter.agentId ?? null}::uuid is null or agent_id = ${filter.agentId ?? null}::uuid)`;
  const bucket = sql.raw(`'1 ${DASHBOARD_BUCKET[window]}'`);
  const series = await db.execute<{ at: string; status: RunStatus; runs: number }>(sql`
    select to_char(date_bin(${bucket}::interval, created_at, '1970-01-01T00:00:00Z') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
      status, count(*)::int as runs
    from skill_runs where ${where} group by 1, 2 order by 1, 2`);
  const usage = await db.execute<{ by: string; id: string | null; runs: number; input: number; output: number; cost: number }>(sql`
    select case when grouping(skill_id) = 0 then 'skill' when grouping(agent_id) = 0 then 'agent' else 'model' end as by,
      coalesce(skill_id::text, agent_id::text, model) as id, count(*)::int as runs,
      coalesce(sum(input_tokens), 0)::float8 as input, coalesce(sum(output_tokens), 0)::float8 as output,
      coalesce(sum(cost_usd), 0)::float8 as cost
    from skill_runs where ${where} group by grouping sets ((skill_id), (agent_id), (model))`); // prettier-ignore
  const [latency] = await db.execute<{ w50: number | null; w95: number | null; c50: number | null; c95: number | null }>(sql`
    select extract(epoch from percentile_disc(0.5) within group (order by started_at - created_at))::float8 as w50,
      extract(epoch from percentile_disc(0.95) within group (order by started_at - created_at))::float8 as w95,
      extract(epoch from percentile_disc(0.5) within group (order by finished_at - started_at) filter (where status = 'complete'))::float8 as c50,
      extract(epoch from percentile_disc(0.95) within group (order by finished_at - started_at) filter (where status = 'complete'))::float8 as c95
    from skill_runs where ${where}`); // prettier-ignore
  const exact = DASHBOARD_WINDOW_SECONDS[window] * 1000 <= EXACT_PERCENTILES_UP_TO_MS || (filter.skillId && filter.agentId); // prettier-ignore
  const shown = async (seconds: number | null | undefined) => {
    if (seconds === null || seconds === undefined) return null;
    if (exact) return seconds;
    const [row] = await db.execute<{ bucket: number }>(
      sql`select run_duration_bucket(${seconds}::float8) as bucket`,
    );
    return bucketUpperEdge(row!.bucket);
  };
  return {
    series: series.map((row) => `${row.at} ${row.status} ${row.runs}`).sort(),
    usage: usage
      .map((row) => `${row.by} ${row.id} ${row.runs} ${row.input} ${row.output} ${row.cost}`)
      .sort(),
    latency: {
      queuedToStart: { p50: await shown(latency?.w50), p95: await shown(latency?.w95) },
      startToComplete: { p50: await shown(latency?.c50), p95: await shown(latency?.c95) },
    },
  };
}

async function dashboardFigures(window: DashboardWindow, filter: Filter) {
  const overview = await dashboardOverview(db, tenantId, { window, ...filter }, AT);
  const knownAgents = new Set(agentIds);
  return {
    series: overview.series
      .flatMap((point) =>
        Object.entries(point.counts)
          .filter(([, runs]) => runs > 0)
          .map(([status, runs]) => `${point.at.toISOString()} ${status} ${runs}`),
      )
      .sort(),
    usage: [
      ...overview.usage.bySkill.map((line) => ({ by: "skill", ...line })),
      ...overview.usage.byAgent.map((line) => ({ by: "agent", ...line })),
      ...overview.usage.byModel.map((line) => ({ by: "model", ...line })),
    ]
      .map(
        (line) =>
          `${line.by} ${line.by === "agent" && line.id && !knownAgents.has(line.id) ? null : line.id} ${line.runs} ${line.inputTokens} ${line.outputTokens} ${line.costUsd}`,
      )
      .sort(),
    latency: overview.latency,
  };
}

async function expectDashboardEqualsRuns(moment: string) {
  const filters: Filter[] = [
    {},
    { skillId: skillIds[1] },
    { agentId: agentIds[0] },
    { skillId: skillIds[0], agentId: agentIds[1] },
  ];
  for (const window of ["24h", "7d", "30d"] as const)
    for (const filter of filters)
      expect(await dashboardFigures(window, filter), `${moment}: ${window} ${JSON.stringify(filter)}`).toEqual(await reference(window, filter)); // prettier-ignore
}

const counted = async () => {
  const [row] = await db.execute<{ rolled: number; unrolled: number; rollup: number }>(sql`
    select (select count(*)::int from skill_runs where tenant_id = ${tenantId} and rolled_up) as rolled,
      (select count(*)::int from skill_runs where tenant_id = ${tenantId} and not rolled_up) as unrolled,
      (select coalesce(sum(runs), 0)::int from run_rollups where tenant_id = ${tenantId}) as rollup`);
  return row!;
};

describe("the dashboard over its rollup", () => {
  it("equals the runs' own aggregates before, during and after every fold", async () => {
    await expectDashboardEqualsRuns("nothing folded");
    // Small batches: most moments have part of the window folded and part not.
    for (let fold = 1; (await foldFinishedRuns(db, 17)) > 0; fold++)
      await expectDashboardEqualsRuns(`after fold ${fold}`);
    const folded = await counted();
    expect(folded.unrolled).toBe(inFlight.length);
    expect(folded.rollup).toBe(folded.rolled);

    // Runs finish between folds: counted from the runs until the next fold.
    for (const [index, runId] of inFlight.entries()) {
      const from: RunStatus[] = index % 2 ? ["running"] : ["queued"];
      await transitionRun(
        db,
        { runId, tenantId },
        {
          from,
          set: index % 2
          ? { status: "complete", finishedAt: ago(30_000), inputTokens: 7, outputTokens: 3, costUsd: "0.000100" } // prettier-ignore
          : { status: "failed", failureCode: "start_timeout", failureReason: "Never started.", finishedAt: ago(30_000) }, // prettier-ignore
          event: { type: "test-finished" },
        },
      );
    }
    await expectDashboardEqualsRuns("finished, not folded");
    expect(await foldFinishedRuns(db, 1_000)).toBe(inFlight.length);
    await expectDashboardEqualsRuns("finished and folded");

    // A cancelled run's usage written after it was folded lands in its rollup row.
    const lateRun = cancelledWithoutUsage[0]!;
    expect(
      await recordUsage(db, { runId: lateRun, tenantId }, { ...ZERO_USAGE, inputTokens: 41, outputTokens: 2, costUsd: "0.004100" }), // prettier-ignore
    ).toBe(true);
    await expectDashboardEqualsRuns("late usage of a folded run");
    expect(await counted()).toMatchObject({ unrolled: 0 });
  });

  it("folds a run once even when two folds run at the same time", async () => {
    const before = await counted();
    await insertRun({ createdAt: ago(90 * 60_000), status: "complete", index: 3 });
    await insertRun({ createdAt: ago(91 * 60_000), status: "complete", index: 4 });
    const folded = await Promise.all([foldFinishedRuns(db, 1), foldFinishedRuns(db, 1), foldFinishedRuns(db, 1)]); // prettier-ignore
    expect(folded.reduce((sum, runs) => sum + runs, 0)).toBe(2);
    const after = await counted();
    expect(after.rollup - before.rollup).toBe(2);
    await expectDashboardEqualsRuns("after concurrent folds");
  });
});

describe("duration buckets", () => {
  it("agree with run_duration_bucket at every edge", async () => {
    const [row] = await db.execute<{ below: number[]; above: number[] }>(sql`
      select array(select run_duration_bucket(x * 0.999) from unnest(${sql.raw(`array[${Array.from({ length: OPEN_BUCKET - 1 }, (_, i) => bucketUpperEdge(i)).join(",")}]::float8[]`)}) as x) as below,
        array(select run_duration_bucket(x * 1.001) from unnest(${sql.raw(`array[${Array.from({ length: OPEN_BUCKET - 1 }, (_, i) => bucketUpperEdge(i)).join(",")}]::float8[]`)}) as x) as above`); // prettier-ignore
    const buckets = Array.from({ length: OPEN_BUCKET - 1 }, (_, i) => i);
    expect(row!.below).toEqual(buckets);
    expect(row!.above).toEqual(buckets.map((bucket) => bucket + 1));
    expect(bucketUpperEdge(4)).toBeCloseTo(0.02);
    expect(bucketUpperEdge(OPEN_BUCKET)).toBe(bucketUpperEdge(OPEN_BUCKET - 1));
  });

  it("answer a percentile as its nearest rank's bucket", () => {
    const counts = new Map([
      [10, 1],
      [20, 18],
      [30, 1],
    ]);
    expect(histogramPercentile(counts, 0.5)).toBe(bucketUpperEdge(20));
    expect(histogramPercentile(counts, 0.95)).toBe(bucketUpperEdge(20));
    expect(histogramPercentile(new Map([[10, 1], [30, 1]]), 0.95)).toBe(bucketUpperEdge(30)); // prettier-ignore
    expect(histogramPercentile(new Map([[10, 1], [30, 1]]), 0.5)).toBe(bucketUpperEdge(10)); // prettier-ignore
    expect(histogramPercentile(new Map(), 0.5)).toBeNull();
  });
});
