/**
 * `npm run bench:dashboard [-- --runs 1000000] [--iterations 50] [--fresh]` — the dashboard at
 * volume: each of its queries (status series, latency, usage, schedule slots) as the
 * bare SQL drizzle sends, and the whole `dashboard.overview` through the tRPC HTTP handler with
 * a real session cookie, for every window (24 h, 7 d, 30 d), unfiltered and narrowed to a skill
 * and to an agent. Each query is EXPLAINed (ANALYZE, BUFFERS); a Seq Scan on skill_runs or
 * schedule_slots fails the bench, and so does a rollup-backed count that differs from the runs'.
 * Goal: every query's p95 ≤ 100 ms.
 *
 * Data: `--runs` runs across the demo tenants (npm run seed:bulk's seedBulkRuns, a year of
 * them), plus what the seed leaves out and the dashboard reads: an hourly slot ledger for the
 * bulk schedules over the year, and a model on the snapshots of the last 31 days' runs. The
 * database persists under .data/bench-dashboard/ (BENCH_DASHBOARD_DATA_DIR moves it), or is
 * `bench_dashboard` on BENCH_DATABASE_URL's server; rebuilt when it holds another number of
 * runs, or with --fresh.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { DASHBOARD_BUCKET, DASHBOARD_WINDOWS, DASHBOARD_WINDOW_SECONDS } from "@/lib/dashboard";
import { ms, percentile, printTable, seededBenchDatabase, writeResult } from "./lib";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "50" },
    warmup: { type: "string", default: "5" },
    fresh: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs.replaceAll("_", ""));
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);
const GOAL_P95_MS = 100;
if (!Number.isInteger(RUNS) || RUNS < 1_000 || !Number.isInteger(ITERATIONS) || ITERATIONS < 1) {
  console.error(
    "usage: npm run bench:dashboard -- [--runs N ≥ 1000] [--iterations N] [--warmup N] [--fresh]",
  );
  process.exit(2);
}

process.env.BETTER_AUTH_SECRET ||= randomBytes(32).toString("base64url");
process.env.BETTER_AUTH_URL ||= "http://localhost:3000";

const { eq } = await import("drizzle-orm");
const { createDatabase } = await import("@/server/db/client");
const { agents, skills } = await import("@/server/db/schema");
const queries = await import("@/server/services/dashboard/dashboard-queries");
const { dashboardOverview, EXACT_PERCENTILES_UP_TO_MS } =
  await import("@/server/services/dashboard/dashboard");
const { foldFinishedRunsBacklog } = await import("@/server/services/runs/run-rollup");
const { explainPlan, signedInHandler } = await import("./dashboard-support");

// 1. The database, reused when it holds exactly RUNS runs.
const { url, stopServer, migrationSeconds } = await seededBenchDatabase({
  name: "bench_dashboard",
  dataDir: ".data/bench-dashboard",
  dataDirEnv: "BENCH_DASHBOARD_DATA_DIR",
  port: 57_300,
  runs: RUNS,
  fresh: args.fresh,
});
const bare = postgres(url, { max: 1, onnotice: () => {} });
await seedWhatTheDashboardReads(bare);
// Runs seeded after the rollup's migration are counted the way the cron counts them.
const { db: foldDb, close: closeFoldDb } = createDatabase(url, { max: 1 });
const foldStarted = performance.now();
const foldedRuns = await foldFinishedRunsBacklog(foldDb, {
  batchSize: 50_000,
  maxBatches: Number.POSITIVE_INFINITY,
});
const foldSeconds = (performance.now() - foldStarted) / 1000;
await closeFoldDb();
if (foldedRuns)
  console.log(`Folded ${foldedRuns.toLocaleString("en")} runs into the rollup in ${foldSeconds.toFixed(1)} s.`); // prettier-ignore
await bare`vacuum (analyze) run_rollups, run_duration_rollups, skill_runs`;

/** An hourly slot ledger for the bulk schedules, and models on the recent runs' snapshots. */
async function seedWhatTheDashboardReads(sql: postgres.Sql) {
  const [{ slots } = { slots: 0 }] = await sql<{ slots: number }[]>`
    select count(*)::int as slots from schedule_slots`;
  if (slots === 0) {
    await sql`
      insert into schedule_slots (tenant_id, schedule_id, slot_at, outcome)
      select s.tenant_id, s.id, hour,
             (array['fired','fired','fired','fired','fired','fired','fired','fired','fired','fired',
                    'fired','fired','fired','fired','fired','fired','skipped','missed','missed','failed'])
               [1 + floor(random() * 20)::int]::schedule_slot_outcome
      from schedules s
      cross join generate_series(date_trunc('hour', now() - interval '365 days'), now(), interval '1 hour') as hour
      where s.name like 'Bulk %'`;
    await sql`vacuum (analyze) schedule_slots`;
  }
  const [{ modelled } = { modelled: 0 }] = await sql<{ modelled: number }[]>`
    select count(*)::int as modelled from skill_runs where model is not null`;
  if (modelled === 0) {
    await sql`
      update skill_runs
      set config_snapshot = jsonb_build_object('model',
        (array['openai:gpt-4.1-mini','anthropic:claude-sonnet-4-5','openai:gpt-4.1'])[1 + abs(hashtext(agent_id::text)) % 3])
      where created_at >= now() - interval '31 days' and status <> 'queued'`;
    await sql`vacuum (analyze) skill_runs`;
  }
}

// 2. The app's side and the cases: Acme's owner, a skill and a non-default agent.
const { db, close: closeDb } = createDatabase(url);
const http = await signedInHandler(db);
const [someSkill] = await db
  .select({ id: skills.id })
  .from(skills)
  .where(eq(skills.slug, "release-notes"));
const [otherAgent] = await db
  .select({ id: agents.id })
  .from(agents)
  .where(eq(agents.tenantId, http.tenantId))
  .orderBy(agents.isDefault, agents.name);
if (!someSkill || !otherAgent) throw new Error("the demo skills or agents are missing");

type Filter = { name: string; skillId?: string; agentId?: string };
const FILTERS: Filter[] = [
  { name: "all" },
  { name: "skill", skillId: someSkill.id },
  { name: "agent", agentId: otherAgent.id },
];
type Query = { sql: string; params: unknown[] };
type Case = { name: string; query?: Query; input?: unknown; times: number[] };
const cases: Case[] = [];
const now = new Date();
for (const window of DASHBOARD_WINDOWS) {
  for (const filter of FILTERS) {
    const scope = {
      tenantId: http.tenantId,
      from: new Date(now.getTime() - DASHBOARD_WINDOW_SECONDS[window] * 1000),
      to: now,
      skillId: filter.skillId,
      agentId: filter.agentId,
    };
    const label = `${window} ${filter.name}`;
    cases.push(
      { name: `${label}: status series`, query: queries.statusSeriesQuery(db, scope, DASHBOARD_BUCKET[window]).toSQL(), times: [] }, // prettier-ignore
      {
        name: `${label}: latency`,
        query: (DASHBOARD_WINDOW_SECONDS[window] * 1000 <= EXACT_PERCENTILES_UP_TO_MS
          ? queries.latencyQuery(db, scope)
          : queries.latencyHistogramQuery(db, scope)
        ).toSQL(),
        times: [],
      },
      { name: `${label}: usage`, query: queries.usageQuery(db, scope).toSQL(), times: [] },
      { name: `${label}: schedule slots`, query: queries.slotOutcomesQuery(db, scope).toSQL(), times: [] }, // prettier-ignore
      { name: `${label}: dashboard.overview (HTTP)`, input: { window, skillId: filter.skillId, agentId: filter.agentId }, times: [] }, // prettier-ignore
    );
  }
}

// The rollup-backed answer against the runs themselves (the tests check every figure; this
// checks the backfill or fold of this database): runs per status over each window.
const wrongCounts: string[] = [];
for (const window of DASHBOARD_WINDOWS) {
  const from = new Date(now.getTime() - DASHBOARD_WINDOW_SECONDS[window] * 1000);
  const raw = await bare<{ status: string; runs: number }[]>`
    select status, count(*)::int as runs from skill_runs
    where tenant_id = ${http.tenantId} and created_at >= ${from} and created_at <= ${now}
    group by status`;
  const { totals } = await dashboardOverview(db, http.tenantId, { window }, now);
  for (const row of raw)
    if (totals.byStatus[row.status as keyof typeof totals.byStatus] !== row.runs)
      wrongCounts.push(`${window} ${row.status}: dashboard ${totals.byStatus[row.status as keyof typeof totals.byStatus]}, runs ${row.runs}`); // prettier-ignore
}
console.log(
  wrongCounts.length
    ? `Rollup counts WRONG: ${wrongCounts.join("; ")}`
    : "Rollup-backed counts equal the runs' for every window.",
);

// The machine is shared: its load beside the figures says how far to trust them.
const loadBefore = os.loadavg()[0] ?? Number.NaN;
// 3. Timing: each case WARMUP + ITERATIONS times, cases interleaved round by round.
async function once(testCase: Case): Promise<number> {
  const began = performance.now();
  if (testCase.query)
    await bare
      .unsafe(testCase.query.sql, testCase.query.params as never[], { prepare: false })
      .values();
  else await http.call("dashboard.overview", testCase.input);
  return performance.now() - began;
}
for (let round = 0; round < WARMUP + ITERATIONS; round++)
  for (const testCase of cases) {
    const elapsed = await once(testCase);
    if (round >= WARMUP) testCase.times.push(elapsed);
  }

const loadAfter = os.loadavg()[0] ?? Number.NaN;
// 4. Plans of every query, and the report.
const summary = [];
for (const testCase of cases) {
  const values = testCase.times;
  const plan = testCase.query ? await explainPlan(bare, testCase.query) : null;
  const p95 = percentile(values, 95);
  summary.push({
    case: testCase.name,
    p50: percentile(values, 50),
    p95,
    goalMet: p95 <= GOAL_P95_MS,
    plan,
  });
}
printTable(
  `${RUNS.toLocaleString("en")} runs; ${ITERATIONS} iterations per case after ${WARMUP} warm-up; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.cpus().length} cores`,
  summary.map((row) => ({
    case: row.case,
    p50: ms(row.p50),
    p95: ms(row.p95),
    [`p95 ≤ ${GOAL_P95_MS} ms`]: row.goalMet ? "yes" : "NO",
    access: row.plan?.access ?? "",
    "Seq Scan": row.plan ? row.plan.seqScans.join(", ") || "none" : "",
    "heap fetches": row.plan?.heapFetches ?? "",
  })),
);
if (process.env.BENCH_DASHBOARD_PLANS)
  for (const row of summary) if (row.plan) console.log(`\n── ${row.case}\n${row.plan.text}`);
const seqScans = summary.filter((row) =>
  row.plan?.seqScans.some((table) => table === "skill_runs" || table === "schedule_slots"),
);
const missed = summary.filter((row) => !row.goalMet);
await writeResult("dashboard", {
  runs: RUNS,
  migrationSeconds,
  fold: { runs: foldedRuns, seconds: foldSeconds },
  wrongCounts,
  iterations: ITERATIONS,
  warmup: WARMUP,
  loadAverage: { before: loadBefore, after: loadAfter },
  goals: {
    p95Ms: GOAL_P95_MS,
    missed: missed.map((row) => row.case),
    seqScans: seqScans.map((row) => row.case),
  },
  cases: summary,
});
if (seqScans.length) console.error(`\nSeq Scan in: ${seqScans.map((row) => row.case).join("; ")}`);
if (missed.length)
  console.error(`\np95 above ${GOAL_P95_MS} ms: ${missed.map((row) => row.case).join("; ")}`);
await bare.end();
await closeDb();
await stopServer();
process.exit(seqScans.length || wrongCounts.length ? 1 : 0);
