/**
 * `npm run bench:dispatch` — a run's way through Skillrun with an instant mock model:
 * startRun → skill/run.requested → the embedded engine (its own process) → run-skill over
 * HTTP → services → PostgreSQL. Against a baseline in the same run: the same service calls
 * (the same inserts and updates) made directly in one loop. Also counts the statements per
 * run outside the model call with pg_stat_statements, and checks for lost or duplicated runs.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MockLanguageModelV3 } from "ai/test";
import { inArray } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { createDatabase } from "@/server/db/client";
import { migrateDatabase } from "@/server/db/migrate";
import {
  agents,
  agentSkills,
  agentTemplates,
  skillRuns,
  skills,
  tenants,
  tenantSettings,
} from "@/server/db/schema";
import {
  claimTurn,
  completeRun,
  markRunning,
  saveConfigSnapshot,
} from "@/server/services/runs/run-lifecycle";
import { ZERO_USAGE } from "@/server/agent/usage";
import { resolveAgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { benchDatabase, ms, percentile, printTable, writeResult } from "./lib";
import { firstFreePort } from "../lib/embedded-postgres";
import { streamed } from "@/test/streamed-model";

const SEQUENTIAL = Number(process.env.BENCH_DISPATCH_SEQUENTIAL ?? 200);
const THROUGHPUT_RUNS = Number(process.env.BENCH_DISPATCH_RUNS ?? 2_000);
// Issue 19's goals, printed next to the figures; never asserted.
const GOAL_COMPLETE_P50_MS = 25;
const GOAL_RUNS_PER_SECOND = 40;

const database = await benchDatabase("dispatch", {
  settings: { shared_preload_libraries: "pg_stat_statements" },
});
await migrateDatabase(database.url);
const { db, close: closeDb } = createDatabase(database.url, { max: 20 });
await db.execute("create extension if not exists pg_stat_statements");

// Two tenants, each with a skill and a default agent.
async function tenant(name: string) {
  const id = crypto.randomUUID();
  await db.insert(tenants).values({ id, name, slug: name });
  await db.insert(tenantSettings).values({ tenantId: id });
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId: id,
      origin: "tenant",
      slug: "bench",
      name: "Bench",
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({
        type: "object",
        properties: { topic: { type: "string", title: "Topic" } },
      }),
      instructions: "Answer.",
    })
    .returning();
  const [template] = await db
    .insert(agentTemplates)
    .values({ tenantId: id, name: "T", systemPrompt: "p", defaultModel: "mock:instant" })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({ tenantId: id, name: "A", templateId: template!.id, isDefault: true })
    .returning();
  // An agent runs only its own skills.
  await db.insert(agentSkills).values({ agentId: agent!.id, skillId: skill!.id });
  return { id, skillId: skill!.id, agentId: agent!.id };
}
const tenantsUnderTest = [await tenant("bench-a"), await tenant("bench-b")];

const model = new MockLanguageModelV3({
  doGenerate: async () => ({
    content: [{ type: "text", text: "# Done" }],
    finishReason: { unified: "stop", raw: "stop" },
    usage: {
      inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 5, text: 5, reasoning: 0 },
    },
    warnings: [],
  }),
});

const enginePort = await firstFreePort(58_388);
const engineUrl = `http://127.0.0.1:${enginePort}`;
const client = new Inngest({ id: "skillrun-bench", isDev: true, baseUrl: engineUrl });
const runSkill = createRunSkillFunction({
  client,
  db: () => db,
  resolveModel: () => streamed(model),
});
const app = http.createServer(serve({ client, functions: [runSkill] }));
await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;
const engine = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "inngest/engine/cli.ts",
    "-p",
    String(enginePort),
    "--database-url",
    database.url,
    "-u",
    appUrl,
    "--no-poll",
  ],
  {
    stdio: ["ignore", "ignore", "inherit"],
  },
);
for (
  let attempt = 0;
  !(await fetch(`${engineUrl}/health`)
    .then((r) => r.ok)
    .catch(() => false));
  attempt++
) {
  if (attempt > 200) throw new Error("the engine did not start");
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const deps: RunServiceDeps = { db, dispatcher: client };
const start = (index: number) => {
  const target = tenantsUnderTest[index % tenantsUnderTest.length]!;
  return startRun(deps, {
    tenantId: target.id,
    skill: { id: target.skillId },
    inputs: { topic: `t${index}` },
    source: "api",
  });
};

async function waitUntilTerminal(runIds: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let pending = new Set(runIds);
  while (pending.size && Date.now() < deadline) {
    const rows = await db
      .select({ id: skillRuns.id, status: skillRuns.status })
      .from(skillRuns)
      .where(inArray(skillRuns.id, [...pending].slice(0, 5_000)));
    pending = new Set(
      rows
        .filter((row) => row.status === "queued" || row.status === "running")
        .map((row) => row.id),
    );
    if (pending.size) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pending.size;
}

// 1. Latency: one run at a time; timestamps come from the rows themselves.
const latencyIds: string[] = [];
for (let index = 0; index < SEQUENTIAL; index++) {
  const { run } = await start(index);
  latencyIds.push(run.id);
  await waitUntilTerminal([run.id], 30_000);
}
const timed = await db
  .select({
    createdAt: skillRuns.createdAt,
    startedAt: skillRuns.startedAt,
    finishedAt: skillRuns.finishedAt,
    status: skillRuns.status,
  })
  .from(skillRuns)
  .where(inArray(skillRuns.id, latencyIds));
const toRunning = timed.map(
  (row) => (row.startedAt?.getTime() ?? Number.NaN) - row.createdAt.getTime(),
);
const toComplete = timed.map(
  (row) => (row.finishedAt?.getTime() ?? Number.NaN) - row.createdAt.getTime(),
);

// 2. Throughput and statements: many runs at once, 100 starts in flight at a time.
await db.execute("select pg_stat_statements_reset()");
const callsBefore = model.doGenerateCalls.length;
const throughputIds: string[] = [];
const throughputStarted = performance.now();
for (let offset = 0; offset < THROUGHPUT_RUNS; offset += 100) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(100, THROUGHPUT_RUNS - offset) }, (_, index) =>
      start(offset + index),
    ),
  );
  throughputIds.push(...batch.map(({ run }) => run.id));
}
const lost = await waitUntilTerminal(throughputIds, 600_000);
const throughputSeconds = (performance.now() - throughputStarted) / 1000;
const completed = (
  await db.select({ id: skillRuns.id }).from(skillRuns).where(inArray(skillRuns.id, throughputIds))
).length;
const modelCalls = model.doGenerateCalls.length - callsBefore;
// The poll that waits for completion above is the bench's own query, not the run's.
const statements = await db.execute<{ app: string; engine: string }>(
  `select coalesce(sum(calls) filter (where query not ilike '%inngest_engine%' and query not ilike '%pg_stat_statements%'
            and query not ilike 'select "id", "status" from "skill_runs" where "skill_runs"."id" in%'), 0)::bigint as app,
          coalesce(sum(calls) filter (where query ilike '%inngest_engine%'), 0)::bigint as engine
   from pg_stat_statements`,
);
const topAppStatements = await db.execute<{ calls: string; query: string }>(
  `select calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query from pg_stat_statements
   where query not ilike '%inngest_engine%' and query not ilike '%pg_stat_statements%'
     and query not ilike 'select "id", "status" from "skill_runs" where "skill_runs"."id" in%'
   order by calls desc limit 20`,
);
const appStatementsPerRun = Number(statements[0]?.app ?? 0) / THROUGHPUT_RUNS;
const engineStatementsPerRun = Number(statements[0]?.engine ?? 0) / THROUGHPUT_RUNS;

// 3. Baseline: the same service calls, directly, one run after another.
const baselineTimes: number[] = [];
const baselineStarted = performance.now();
const noDispatch: RunServiceDeps = { db, dispatcher: { send: async () => ({ ids: [] }) } };
for (let index = 0; index < SEQUENTIAL; index++) {
  const target = tenantsUnderTest[index % tenantsUnderTest.length]!;
  const began = performance.now();
  const { run } = await startRun(noDispatch, {
    tenantId: target.id,
    skill: { id: target.skillId },
    inputs: { topic: "b" },
    source: "api",
  });
  const ref = { runId: run.id, tenantId: target.id };
  await markRunning(db, ref);
  await saveConfigSnapshot(
    db,
    ref,
    await resolveAgentRuntimeConfig(db, { tenantId: target.id, agentId: target.agentId }),
  );
  await claimTurn(db, ref);
  await completeRun(db, ref, { markdown: "# Done", usage: ZERO_USAGE });
  baselineTimes.push(performance.now() - began);
}
const baselineRunsPerSecond = SEQUENTIAL / ((performance.now() - baselineStarted) / 1000);

const summary = {
  startToRunning: { p50: percentile(toRunning, 50), p95: percentile(toRunning, 95) },
  startToComplete: { p50: percentile(toComplete, 50), p95: percentile(toComplete, 95) },
  baselinePerRun: { p50: percentile(baselineTimes, 50), p95: percentile(baselineTimes, 95) },
  throughput: {
    runs: THROUGHPUT_RUNS,
    seconds: throughputSeconds,
    runsPerSecond: THROUGHPUT_RUNS / throughputSeconds,
    baselineRunsPerSecond,
  },
  statementsPerRun: { app: appStatementsPerRun, engine: engineStatementsPerRun },
  integrity: {
    completedRows: completed,
    stillUnfinished: lost,
    modelCalls,
    duplicatedTurns: Math.max(modelCalls - THROUGHPUT_RUNS, 0),
  },
};
printTable(`${SEQUENTIAL} sequential runs (from the rows' timestamps)`, [
  {
    measure: "start → running",
    p50: ms(summary.startToRunning.p50),
    p95: ms(summary.startToRunning.p95),
    goal: "p50 ≤ 50 ms",
  },
  {
    measure: "start → complete",
    p50: ms(summary.startToComplete.p50),
    p95: ms(summary.startToComplete.p95),
    goal: `p50 ≤ ${GOAL_COMPLETE_P50_MS} ms (issue 19) ${summary.startToComplete.p50 <= GOAL_COMPLETE_P50_MS ? "✓" : "✗"}`,
  },
  {
    measure: "baseline: same service calls in a loop",
    p50: ms(summary.baselinePerRun.p50),
    p95: ms(summary.baselinePerRun.p95),
    goal: "",
  },
  {
    measure: "ratio complete / baseline",
    p50: (summary.startToComplete.p50 / summary.baselinePerRun.p50).toFixed(1),
    p95: "",
    goal: "",
  },
]);
printTable(`${THROUGHPUT_RUNS} runs started 100 at a time (sustained)`, [
  {
    "runs/s": summary.throughput.runsPerSecond.toFixed(1),
    goal: `≥ ${GOAL_RUNS_PER_SECOND} runs/s (issue 19) ${summary.throughput.runsPerSecond >= GOAL_RUNS_PER_SECOND ? "✓" : "✗"}`,
    "baseline runs/s": baselineRunsPerSecond.toFixed(1),
    "app statements/run": appStatementsPerRun.toFixed(1),
    "engine statements/run": engineStatementsPerRun.toFixed(1),
    unfinished: lost,
    "duplicated turns": summary.integrity.duplicatedTurns,
  },
]);
printTable(
  "statements the app ran (pg_stat_statements)",
  topAppStatements.map((row) => ({
    "per run": (Number(row.calls) / THROUGHPUT_RUNS).toFixed(2),
    query: row.query,
  })),
);
await writeResult("dispatch", { ...summary, topAppStatements });

engine.kill("SIGTERM");
await new Promise((resolve) => engine.once("exit", resolve));
app.closeAllConnections();
app.close();
await closeDb();
await database.close();
process.exit(lost > 0 || summary.integrity.duplicatedTurns > 0 ? 1 : 0);
