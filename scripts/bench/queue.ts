/**
 * `npm run bench:queue [-- --runs 1000] [--clients 20] [--sequential 100] [--warmup 50] [--concurrency 5] [--batch-size 1]`
 * — end-to-end dispatch against a plain job queue: the same runs (instant mock model, the same
 * inserts and updates) once through Skillrun's path and once through pg-boss, in the same run,
 * on the same database, with the ratio of throughput and of p50/p99 latency.
 *
 * Both sides start every run the same way: `runs.start` through the tRPC fetch handler
 * (fetchRequestHandler + appRouter + createTRPCContext, as app/api/trpc/[trpc]/route.ts builds
 * it, in this process, without a socket or Next), a real better-auth session cookie, a fresh
 * context per call; so each start does the same session and membership lookups, the run, its
 * `queued` event and the audit row in one transaction (createRun), then hands the run to the
 * context's dispatcher. Only the dispatcher and what executes the run differ:
 *
 *   Skillrun: the Inngest client sends `skill/run.requested` to the embedded engine (its own
 *     process, as in bench:dispatch) → the engine calls run-skill (createRunSkillFunction,
 *     served by the real SDK over HTTP from this process) step by step: mark-running,
 *     resolve-config, agent-turn, finish (which queues the run's deliveries); each step's result
 *     goes back through the engine.
 *   pg-boss: `boss.send` inserts a job (job id = run id, group = tenant) on a notify-enabled
 *     queue with retryLimit 0; a `boss.work` handler in this process calls the same services
 *     in the same order with the same arguments (markRunning, resolveRunConfig, executeTurn,
 *     finishRunAndQueueDeliveries; failRun as onFailure does), then pg-boss completes the job.
 *   pg-boss, a job per step (the durability-equivalent baseline, issue 19): the same services,
 *     one job per step, each step's job sending the next step's job (carrying the turn's
 *     outcome to `finish`, as the engine carries step output) before it completes, so every
 *     step's progress is durable, as with the engine. Next-step job ids derive from the run
 *     and the step, so a step run twice cannot enqueue its successor twice.
 *
 * Same concurrency on both: `--concurrency` per tenant (SKILLRUN_RUN_CONCURRENCY, the app's
 * default 5) over two tenants. The engine enforces it with the function's concurrency key, on
 * executing step requests (as Inngest does: a run waiting between steps holds no slot); pg-boss
 * with localConcurrency = tenants × concurrency and localGroupConcurrency = concurrency, on jobs
 * (one job is the whole run). The loaded table shows how many runs were in progress per tenant. The app's pool is createDatabase's default (10 connections) on both sides; the
 * engine and pg-boss bring their own pools.
 *
 * Per side: a warm-up (not counted), `--sequential` runs one at a time (latency unloaded), then
 * `--runs` runs driven by `--clients` closed-loop clients (each starts a run, waits until it is
 * terminal, starts the next), which keeps more runs waiting than the concurrency lets execute.
 * Latency per run is from just before the tRPC call to the run row's `finished_at` (written in
 * this process on both sides); the clients learn a run is terminal from one shared poll of the
 * runs table every 10 ms (the same on both sides, on the bench's own connection, which the
 * statement counts and PostgreSQL's CPU time leave out).
 * Throughput is runs over the time from the first start to the last finish. Afterwards each
 * side must have exactly one run per start, all complete, one model call, one `running` and one
 * terminal event per run, one engine run or pg-boss job per run; otherwise the bench fails.
 * PostgreSQL is embedded and throwaway with fsync off, as in the other benches.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { MockLanguageModelV3 } from "ai/test";
import { PgBoss } from "pg-boss";
import postgres from "postgres";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { RunEvent, RunRef } from "@/inngest/events";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { benchDatabase, ms, percentile, printTable, writeResult } from "./lib";
import { firstFreePort } from "../lib/embedded-postgres";
import { statementKindsPerRun } from "./statement-kinds";
import { streamed } from "@/test/streamed-model";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1000" },
    clients: { type: "string", default: "20" },
    sequential: { type: "string", default: "100" },
    warmup: { type: "string", default: "50" },
    concurrency: { type: "string", default: "5" },
    "batch-size": { type: "string", default: "1" },
  },
});
const RUNS = Number(args.runs.replaceAll("_", ""));
const CLIENTS = Number(args.clients);
const SEQUENTIAL = Number(args.sequential);
const WARMUP = Number(args.warmup);
const CONCURRENCY = Number(args.concurrency);
const BATCH_SIZE = Number(args["batch-size"]);
const TENANTS = 2;
const POLL_MS = 10;
const RUN_TIMEOUT_MS = 60_000;
const QUEUE = "run-skill";
const STEP_QUEUE = "run-skill-steps";
const STEPS = ["mark-running", "resolve-config", "agent-turn", "finish"] as const;
// Issue 19's goals, printed next to the figures; never asserted.
const GOALS = {
  throughputToStepJobs: 1.0,
  throughputToPlain: 0.8,
  loadedP99ToPlain: 1.5,
  engineStatementsPerRun: 6,
};
if (
  [RUNS, CLIENTS, CONCURRENCY, BATCH_SIZE].some((value) => !Number.isInteger(value) || value < 1) ||
  [SEQUENTIAL, WARMUP].some((value) => !Number.isInteger(value) || value < 0)
) {
  console.error(
    "usage: npm run bench:queue -- [--runs N] [--clients N] [--sequential N] [--warmup N] [--concurrency N] [--batch-size N]",
  );
  process.exit(2);
}

// The bench signs in with the real auth; it needs a secret, never the app's own. Set before the
// app's modules read the environment, hence the dynamic imports below.
process.env.BETTER_AUTH_SECRET ||= randomBytes(32).toString("base64url");
process.env.BETTER_AUTH_URL ||= "http://localhost:3000";

const { fetchRequestHandler } = await import("@trpc/server/adapters/fetch");
const { default: superjson } = await import("superjson");
const { hashPassword } = await import("better-auth/crypto");
const { Inngest } = await import("inngest");
const { serve } = await import("inngest/node");
const { createRunSkillFunction } = await import("@/inngest/functions/run-skill");
const { createAuth } = await import("@/server/auth/config");
const { createDatabase } = await import("@/server/db/client");
const { migrateDatabase } = await import("@/server/db/migrate");
const {
  accounts,
  agents,
  agentSkills,
  agentTemplates,
  memberships,
  skills,
  tenants,
  tenantSettings,
  users,
} = await import("@/server/db/schema");
const { crashReason, failRun, markRunning } = await import("@/server/services/runs/run-lifecycle");
const { executeTurn, finishRunAndQueueDeliveries, resolveRunConfig } =
  await import("@/server/services/runs/run-turn");
const { inputsColumnsOf } = await import("@/server/services/catalog/skills");
const { createTRPCContext } = await import("@/server/trpc/init");
const { appRouter } = await import("@/server/trpc/root");

const database = await benchDatabase("queue", {
  settings: { shared_preload_libraries: "pg_stat_statements" },
});
await migrateDatabase(database.url);
// The app's pool: createDatabase's default, as server/db/index.ts opens it.
const { db, close: closeDb } = createDatabase(database.url);
// The bench's own connection: the terminal poll, statement and CPU accounting, integrity checks.
const bench = postgres(database.url, {
  max: 1,
  onnotice: () => {},
  connection: { application_name: "bench" },
});
await bench`create extension if not exists pg_stat_statements`;
const auth = createAuth(db);

// ─── Tenants: a skill, a default agent and a signed-in operator each ─────────────────────────

const PASSWORD = "bench-password-0123";
type BenchTenant = { id: string; cookie: string };
async function benchTenant(label: string): Promise<BenchTenant> {
  const id = randomUUID();
  await db.insert(tenants).values({ id, name: label, slug: label });
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
  const userId = randomUUID();
  const email = `${label}@bench.test`;
  await db.insert(users).values({ id: userId, email, name: label, emailVerified: true });
  await db.insert(accounts).values({
    id: randomUUID(),
    userId,
    accountId: userId,
    providerId: "credential",
    password: await hashPassword(PASSWORD),
  });
  await db
    .insert(memberships)
    .values({ id: randomUUID(), organizationId: id, userId, role: "operator" });
  const signedIn = await auth.api.signInEmail({
    body: { email, password: PASSWORD },
    asResponse: true,
  });
  if (!signedIn.ok)
    throw new Error(`sign-in failed with ${signedIn.status}: ${await signedIn.text()}`);
  const cookie = signedIn.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return { id, cookie };
}

const instantModel = () =>
  new MockLanguageModelV3({
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

// ─── The start: runs.start through the tRPC fetch handler ────────────────────────────────────

async function startThroughTrpc(dispatcher: RunDispatcher, tenant: BenchTenant, topic: string) {
  const request = new Request("http://localhost:3000/api/trpc/runs.start", {
    method: "POST",
    headers: {
      cookie: tenant.cookie,
      "content-type": "application/json",
      [TENANT_HEADER]: tenant.id,
    },
    body: JSON.stringify(superjson.serialize({ skillSlug: "bench", inputs: { topic } })),
  });
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: request.headers, db, auth, dispatcher }),
  });
  const body = await response.text();
  if (!response.ok)
    throw new Error(`runs.start answered ${response.status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as {
    result: { data: Parameters<typeof superjson.deserialize>[0] };
  };
  return superjson.deserialize<{ runId: string; status: string; created: boolean }>(
    parsed.result.data,
  );
}

// ─── Waiting for terminal runs: one poll for every waiting client ────────────────────────────

const waiting = new Map<string, { deadline: number; resolve: (status: string) => void }>();
let polling = false;
function untilTerminal(runId: string): Promise<string> {
  const promise = new Promise<string>((resolve) =>
    waiting.set(runId, { deadline: Date.now() + RUN_TIMEOUT_MS, resolve }),
  );
  if (!polling) void poll();
  return promise;
}
async function poll() {
  polling = true;
  try {
    while (waiting.size) {
      const ids = [...waiting.keys()];
      // `bench_poll` marks the statement so the statement counts leave it out.
      const rows = await bench<
        { id: string; bench_poll: string }[]
      >`select id, status as bench_poll from skill_runs where id = any(${bench.array(ids)}::uuid[])`;
      const status = new Map(rows.map((row) => [row.id, row.bench_poll]));
      for (const id of ids) {
        const waiter = waiting.get(id)!;
        const now = status.get(id);
        if (now && now !== "queued" && now !== "running") {
          waiting.delete(id);
          waiter.resolve(now);
        } else if (Date.now() > waiter.deadline) {
          waiting.delete(id);
          waiter.resolve("timed out");
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    polling = false;
  }
}

// ─── CPU time by process, from /proc (10 ms ticks), and the machine's load ──────────────────

const TICK_MS = 10;
function processTicks(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
function parentOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
  } catch {
    return 0;
  }
}
const [{ pid: backendPid } = { pid: 0 }] = await bench<
  { pid: number }[]
>`select pg_backend_pid() as pid`;
const postmaster = parentOf(backendPid);
/** The postmaster and its children (backends, background workers), if the server is local. */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  if (!postmaster) return ticks;
  ticks.set(postmaster, processTicks(postmaster));
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    // The bench's own connection (the terminal poll) is left out.
    if (pid !== backendPid && parentOf(pid) === postmaster) ticks.set(pid, processTicks(pid));
  }
  return ticks;
}
function machineTicks() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    busy: user! + nice! + system! + irq! + softirq! + steal!,
    total: user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!,
  };
}
type CpuSnapshot = {
  bench: number;
  engine: number;
  postgres: Map<number, number>;
  machine: { busy: number; total: number };
};
const cpuSnapshot = (engine?: ChildProcess): CpuSnapshot => ({
  bench: processTicks(process.pid),
  engine: processTicks(engine?.pid),
  postgres: postgresTicks(),
  machine: machineTicks(),
});
function cpuPerRun(before: CpuSnapshot, after: CpuSnapshot, runs: number) {
  let postgresDelta = 0;
  for (const [pid, ticks] of after.postgres)
    postgresDelta += ticks - (before.postgres.get(pid) ?? 0);
  const ours = after.bench - before.bench + (after.engine - before.engine) + postgresDelta;
  const busy = after.machine.busy - before.machine.busy;
  const total = after.machine.total - before.machine.total;
  const perRun = (ticks: number) => (ticks * TICK_MS) / runs;
  return {
    msPerRun: {
      app: perRun(after.bench - before.bench),
      engine: perRun(after.engine - before.engine),
      postgres: perRun(postgresDelta),
      total: perRun(ours),
    },
    machineBusyShare: busy / total,
    otherProcessesShare: Math.max(0, busy - ours) / total,
  };
}

// ─── Statements per run (pg_stat_statements), split into the app's and the queue's ───────────

async function statementCounts() {
  const [row] = await bench<{ app: string; queue: string }[]>`
    select coalesce(sum(calls) filter (where query not ilike '%inngest_engine%' and query not ilike '%pgboss%'), 0)::bigint as app,
           coalesce(sum(calls) filter (where query ilike '%inngest_engine%' or query ilike '%pgboss%'), 0)::bigint as queue
    from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and query not ilike '%pg_stat_statements%' and query not ilike '%bench_poll%' and query not ilike '%pg_backend_pid%'`;
  return { app: Number(row?.app ?? 0), queue: Number(row?.queue ?? 0) };
}

/** The engine's or pg-boss's statements in the loaded phase, per run, by what they touch. */
async function queueStatementKinds() {
  const rows = await bench<{ calls: string; query: string }[]>`
    select calls, query from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and (query ilike '%inngest_engine%' or query ilike '%pgboss%')
      and query not ilike '%pg_stat_statements%'`;
  return statementKindsPerRun(
    rows.map((row) => ({ calls: Number(row.calls), query: row.query })),
    RUNS,
  );
}

// ─── One side: warm-up, sequential, loaded ───────────────────────────────────────────────────

type Side = {
  name: string;
  dispatcher: RunDispatcher;
  tenants: BenchTenant[];
  engine?: ChildProcess;
  /** HTTP requests between the app and the engine so far, each way. */
  httpExchanges?: () => { appToEngine: number; engineToApp: number };
  /** Queue rows (engine runs or pg-boss jobs) each run should leave. */
  jobsPerRun?: number;
};
type Timing = { runId: string; began: number; startMs: number; status: string };
type RunTiming = Timing & { toRunning: number; toTerminal: number };

async function drive(side: Side, prefix: string, count: number, clients: number) {
  const timings: Timing[] = [];
  const errors: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(clients, count) }, async () => {
      while (next < count) {
        const index = next++;
        const tenant = side.tenants[index % side.tenants.length]!;
        const began = Date.now();
        const startedAt = performance.now();
        try {
          const { runId, created } = await startThroughTrpc(
            side.dispatcher,
            tenant,
            `${prefix}-${index}`,
          );
          if (!created) throw new Error(`runs.start did not create a run for ${prefix}-${index}`);
          const startMs = performance.now() - startedAt;
          timings.push({ runId, began, startMs, status: await untilTerminal(runId) });
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  // The rows' own timestamps: started_at and finished_at are written in this process on both sides.
  const rows = await bench<
    { id: string; tenant_id: string; started_at: Date | null; finished_at: Date | null }[]
  >`
    select id, tenant_id, started_at, finished_at from skill_runs where id = any(${bench.array(timings.map((timing) => timing.runId))}::uuid[])`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Runs in progress at once per tenant (running → terminal), the most and on average. A pg-boss
  // job holds its slot for the whole run, so the most must stay within the limit; the engine's
  // limit counts executing step requests (as Inngest's does), so a run between two steps holds
  // no slot and more runs than the limit can be in progress.
  let maxRunning = 0;
  let runningMs = 0;
  for (const tenant of side.tenants) {
    const edges = rows
      .filter((row) => row.tenant_id === tenant.id && row.started_at && row.finished_at)
      .flatMap((row) => [
        { at: row.started_at!.getTime(), delta: 1 },
        { at: row.finished_at!.getTime(), delta: -1 },
      ])
      .sort((x, y) => x.at - y.at || x.delta - y.delta);
    let running = 0;
    for (const edge of edges) maxRunning = Math.max(maxRunning, (running += edge.delta));
    runningMs += rows
      .filter((row) => row.tenant_id === tenant.id)
      .reduce(
        (sum, row) => sum + ((row.finished_at?.getTime() ?? 0) - (row.started_at?.getTime() ?? 0)),
        0,
      );
  }
  const runs: RunTiming[] = timings.map((timing) => {
    const row = byId.get(timing.runId);
    return {
      ...timing,
      toRunning: (row?.started_at?.getTime() ?? Number.NaN) - timing.began,
      toTerminal: (row?.finished_at?.getTime() ?? Number.NaN) - timing.began,
    };
  });
  const first = Math.min(...runs.map((run) => run.began));
  const last = Math.max(...runs.map((run) => run.began + run.toTerminal));
  return {
    runs,
    errors,
    seconds: (last - first) / 1000,
    maxRunning,
    meanRunning: runningMs / (last - first) / side.tenants.length,
  };
}

const summarize = (phase: Awaited<ReturnType<typeof drive>>) => {
  const done = phase.runs.filter((run) => Number.isFinite(run.toTerminal));
  return {
    runs: phase.runs.length,
    seconds: phase.seconds,
    runsPerSecond: phase.runs.length / phase.seconds,
    runningPerTenant: { max: phase.maxRunning, mean: phase.meanRunning },
    startToTerminal: {
      p50: percentile(
        done.map((run) => run.toTerminal),
        50,
      ),
      p99: percentile(
        done.map((run) => run.toTerminal),
        99,
      ),
    },
    startToRunning: {
      p50: percentile(
        done.map((run) => run.toRunning),
        50,
      ),
      p99: percentile(
        done.map((run) => run.toRunning),
        99,
      ),
    },
    startCall: {
      p50: percentile(
        phase.runs.map((run) => run.startMs),
        50,
      ),
      p99: percentile(
        phase.runs.map((run) => run.startMs),
        99,
      ),
    },
  };
};

async function measureSide(side: Side, model: MockLanguageModelV3) {
  const started: string[] = [];
  const errors: string[] = [];
  const statuses = new Map<string, number>();
  const record = (phase: Awaited<ReturnType<typeof drive>>) => {
    started.push(...phase.runs.map((run) => run.runId));
    errors.push(...phase.errors);
    for (const run of phase.runs) statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
    return phase;
  };
  console.log(
    `${side.name}: warm-up ${WARMUP}, sequential ${SEQUENTIAL}, loaded ${RUNS} runs with ${CLIENTS} clients…`,
  );
  if (WARMUP) record(await drive(side, `${side.name}-warmup`, WARMUP, CLIENTS));
  const sequential = SEQUENTIAL
    ? summarize(record(await drive(side, `${side.name}-sequential`, SEQUENTIAL, 1)))
    : null;

  await bench`select pg_stat_statements_reset()`;
  const cpuBefore = cpuSnapshot(side.engine);
  const exchangesBefore = side.httpExchanges?.();
  const loadedPhase = record(await drive(side, `${side.name}-loaded`, RUNS, CLIENTS));
  const cpu = cpuPerRun(cpuBefore, cpuSnapshot(side.engine), RUNS);
  const exchangesAfter = side.httpExchanges?.();
  const httpExchangesPerRun =
    exchangesBefore && exchangesAfter
      ? {
          appToEngine: (exchangesAfter.appToEngine - exchangesBefore.appToEngine) / RUNS,
          engineToApp: (exchangesAfter.engineToApp - exchangesBefore.engineToApp) / RUNS,
        }
      : { appToEngine: 0, engineToApp: 0 };
  const statements = await statementCounts();
  const statementKinds = await queueStatementKinds();
  const loaded = summarize(loadedPhase);

  // Integrity over every phase: one run per start, each complete once, one turn each.
  const tenantIds = side.tenants.map((tenant) => tenant.id);
  const [rows] = await bench<{ runs: string; complete: string; unfinished: string }[]>`
    select count(*) as runs, count(*) filter (where status = 'complete') as complete, count(*) filter (where status in ('queued', 'running')) as unfinished
    from skill_runs where tenant_id = any(${bench.array(tenantIds)})`;
  // How the runs that did not complete ended, for the report: a side that fails every run is no baseline.
  const endings = await bench<{ ending: string; runs: string }[]>`
    select status || coalesce('/' || failure_code, '') || coalesce(': ' || left(failure_reason, 160), '') as ending, count(*) as runs
    from skill_runs where tenant_id = any(${bench.array(tenantIds)}) and status <> 'complete'
    group by 1 order by 2 desc limit 3`;
  const [timeline] = await bench<{ bad: string }[]>`
    select count(*) as bad from (
      select run_id from run_events where tenant_id = any(${bench.array(tenantIds)})
      group by run_id
      having count(*) filter (where type = 'running') <> 1 or count(*) filter (where type in ('complete', 'failed', 'cancelled')) <> 1
    ) as runs`;
  const expected = WARMUP + SEQUENTIAL + RUNS;
  const integrity = {
    expected,
    started: new Set(started).size,
    startErrors: errors.length,
    rows: Number(rows?.runs ?? 0),
    complete: Number(rows?.complete ?? 0),
    unfinished: Number(rows?.unfinished ?? 0),
    notComplete: endings.map(({ ending, runs }) => `${runs} ${ending}`),
    timedOut: statuses.get("timed out") ?? 0,
    modelCalls: model.doGenerateCalls.length,
    runsWithWrongTimeline: Number(timeline?.bad ?? 0),
    queueJobs: 0,
    expectedQueueJobs: expected * (side.jobsPerRun ?? 1),
    queueJobsPerRunAboveOne: 0,
  };
  return {
    sequential,
    loaded,
    cpu,
    statementsPerRun: { app: statements.app / RUNS, queue: statements.queue / RUNS },
    statementKinds,
    httpExchangesPerRun,
    integrity,
    errors: errors.slice(0, 5),
  };
}

// ─── Skillrun: the Inngest client → the embedded engine → run-skill over HTTP ───────────────

const skillrunTenants = [];
for (let index = 0; index < TENANTS; index++)
  skillrunTenants.push(await benchTenant(`skillrun-${index}`));
const skillrunModel = instantModel();
const enginePort = await firstFreePort(58_488);
const engineUrl = `http://127.0.0.1:${enginePort}`;
const exchanges = { appToEngine: 0, engineToApp: 0 };
const client = new Inngest({
  id: "skillrun-bench",
  isDev: true,
  baseUrl: engineUrl,
  fetch: (input, init) => {
    exchanges.appToEngine++;
    return fetch(input, init);
  },
});
const runSkill = createRunSkillFunction({
  client,
  db: () => db,
  resolveModel: () => streamed(skillrunModel),
  concurrencyPerTenant: CONCURRENCY,
});
const app = http.createServer(serve({ client, functions: [runSkill] }));
app.on("request", () => exchanges.engineToApp++);
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
for (let attempt = 0; ; attempt++) {
  const healthy = await fetch(`${engineUrl}/health`).then(
    (response) => response.ok,
    () => false,
  );
  const synced =
    healthy &&
    (await bench<{ n: number }[]>`select count(*)::int as n from inngest_engine.functions`.then(
      ([row]) => (row?.n ?? 0) > 0,
      () => false,
    ));
  if (synced) break;
  if (attempt > 300) throw new Error("the engine did not start or sync the app");
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const skillrun = await measureSide(
  {
    name: "skillrun",
    dispatcher: client,
    tenants: skillrunTenants,
    engine,
    httpExchanges: () => ({ ...exchanges }),
  },
  skillrunModel,
);
const [engineRuns] = await bench<
  { runs: number; per_run_above_one: number; not_completed: number }[]
>`
  select count(*)::int as runs, (count(*) - count(distinct events->0->'data'->>'runId'))::int as per_run_above_one,
         count(*) filter (where status <> 'Completed')::int as not_completed
  from inngest_engine.runs where function_slug like '%run-skill'`;
skillrun.integrity.queueJobs = engineRuns?.runs ?? 0;
skillrun.integrity.queueJobsPerRunAboveOne = engineRuns?.per_run_above_one ?? 0;
const engineNotCompleted = engineRuns?.not_completed ?? 0;
engine.kill("SIGTERM");
await new Promise((resolve) => engine.once("exit", resolve));
app.closeAllConnections();
app.close();

// ─── pg-boss: send a job → a worker in this process calls the same services ─────────────────

const pgbossTenants = [];
for (let index = 0; index < TENANTS; index++)
  pgbossTenants.push(await benchTenant(`pgboss-${index}`));
const pgbossModel = instantModel();
const bossErrors: string[] = [];
const boss = new PgBoss({
  connectionString: database.url,
  application_name: "pg-boss",
  useListenNotify: true,
});
boss.on("error", (error) => bossErrors.push(error.message));
await boss.start();
await boss.createQueue(QUEUE, { retryLimit: 0, notify: true });
const handled = new Map<string, number>();
/** run-skill's steps, as plain calls: the same services, in the same order, with the same arguments. */
async function runSkillJob(job: { id: string; data: RunRef }) {
  const ref = job.data;
  handled.set(ref.runId, (handled.get(ref.runId) ?? 0) + 1);
  try {
    if (!(await markRunning(db, ref, job.id))) return;
    if (!(await resolveRunConfig(db, ref))) return;
    const outcome = await executeTurn(db, ref, () => streamed(pgbossModel));
    // The bench's runs have no delivery, so no event follows.
    await finishRunAndQueueDeliveries(db, ref, outcome);
  } catch (error) {
    // run-skill's onFailure.
    await failRun(db, ref, {
      code: "agent_crashed",
      reason: crashReason(error instanceof Error ? error : new Error(String(error))),
    });
    throw error;
  }
}
await boss.work<RunRef>(
  QUEUE,
  {
    batchSize: BATCH_SIZE,
    localConcurrency: TENANTS * CONCURRENCY,
    localGroupConcurrency: CONCURRENCY,
    // The smallest intervals pg-boss accepts; NOTIFY wakes the workers in between.
    pollingIntervalSeconds: 0.5,
    notifyPollingIntervalSeconds: 0.5,
    // With batches: fetch again at once while batches come back full.
    burstWhenBatchFull: BATCH_SIZE > 1,
  },
  async (jobs) => {
    await Promise.all(jobs.map((job) => runSkillJob(job)));
  },
);
const sendJob = (event: RunEvent) =>
  boss.send(QUEUE, event.data, { id: event.id, group: { id: event.data.tenantId } });
const bossDispatcher: RunDispatcher = {
  send: async (event) => {
    const ids = await Promise.all((Array.isArray(event) ? event : [event]).map(sendJob));
    if (ids.some((id) => !id)) throw new Error("pg-boss did not create a job");
    return { ids: ids as string[] };
  },
};
const pgboss = await measureSide(
  { name: "pgboss", dispatcher: bossDispatcher, tenants: pgbossTenants },
  pgbossModel,
);
const jobs = await bench<
  { state: string; n: number }[]
>`select state::text, count(*)::int as n from pgboss.job where name = ${QUEUE} group by state`;
pgboss.integrity.queueJobs = jobs.reduce((sum, row) => sum + row.n, 0);
pgboss.integrity.queueJobsPerRunAboveOne = [...handled.values()].reduce(
  (sum, count) => sum + count - 1,
  0,
);
const bossNotCompleted = jobs
  .filter((row) => row.state !== "completed")
  .reduce((sum, row) => sum + row.n, 0);
await boss.offWork(QUEUE);

// ─── pg-boss, a job per step: every step's progress durable, as with the engine ─────────────

const stepTenants = [];
for (let index = 0; index < TENANTS; index++)
  stepTenants.push(await benchTenant(`pgboss-steps-${index}`));
const stepModel = instantModel();
type Step = (typeof STEPS)[number];
type StepJob = { ref: RunRef; step: Step; outcome?: unknown };
const stepsHandled = new Map<string, number>();
/** The same UUID for the same run and step, so a step run twice enqueues its successor once. */
function stepJobId(runId: string, step: Step): string {
  const hex = createHash("sha1").update(`${runId}:${step}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
async function sendStep(ref: RunRef, step: Step, outcome?: unknown) {
  const data: StepJob = { ref, step, ...(outcome === undefined ? {} : { outcome }) };
  await boss.send(STEP_QUEUE, data, {
    id: stepJobId(ref.runId, step),
    group: { id: ref.tenantId },
  });
}
/** One step of run-skill per job; each successful step enqueues the next before completing. */
async function runSkillStepJob(job: { id: string; data: StepJob }) {
  const { ref, step } = job.data;
  const key = `${ref.runId}:${step}`;
  stepsHandled.set(key, (stepsHandled.get(key) ?? 0) + 1);
  try {
    if (step === "mark-running") {
      if (await markRunning(db, ref, ref.runId)) await sendStep(ref, "resolve-config");
    } else if (step === "resolve-config") {
      if (await resolveRunConfig(db, ref)) await sendStep(ref, "agent-turn");
    } else if (step === "agent-turn") {
      // Through JSON, as the engine hands a step's output to the next step.
      const outcome: unknown = JSON.parse(
        JSON.stringify(await executeTurn(db, ref, () => streamed(stepModel))),
      );
      await sendStep(ref, "finish", outcome);
    } else {
      await finishRunAndQueueDeliveries(db, ref, job.data.outcome);
    }
  } catch (error) {
    await failRun(db, ref, {
      code: "agent_crashed",
      reason: crashReason(error instanceof Error ? error : new Error(String(error))),
    });
    throw error;
  }
}
await boss.createQueue(STEP_QUEUE, { retryLimit: 0, notify: true });
await boss.work<StepJob>(
  STEP_QUEUE,
  {
    batchSize: BATCH_SIZE,
    localConcurrency: TENANTS * CONCURRENCY,
    localGroupConcurrency: CONCURRENCY,
    pollingIntervalSeconds: 0.5,
    notifyPollingIntervalSeconds: 0.5,
    burstWhenBatchFull: BATCH_SIZE > 1,
  },
  async (stepJobs) => {
    await Promise.all(stepJobs.map((job) => runSkillStepJob(job)));
  },
);
const stepDispatcher: RunDispatcher = {
  send: async (event) => {
    // Only run events reach this dispatcher (the bench starts no bulk operation).
    const events = (Array.isArray(event) ? event : [event]).flatMap((one) =>
      "runId" in one.data ? [one.data] : [],
    );
    await Promise.all(events.map((data) => sendStep(data, "mark-running")));
    return { ids: events.map((data) => stepJobId(data.runId, "mark-running")) };
  },
};
const pgbossSteps = await measureSide(
  {
    name: "pgboss-steps",
    dispatcher: stepDispatcher,
    tenants: stepTenants,
    jobsPerRun: STEPS.length,
  },
  stepModel,
);
const stepJobs = await bench<
  { state: string; n: number }[]
>`select state::text, count(*)::int as n from pgboss.job where name = ${STEP_QUEUE} group by state`;
pgbossSteps.integrity.queueJobs = stepJobs.reduce((sum, row) => sum + row.n, 0);
pgbossSteps.integrity.queueJobsPerRunAboveOne = [...stepsHandled.values()].reduce(
  (sum, count) => sum + count - 1,
  0,
);
const stepJobsNotCompleted = stepJobs
  .filter((row) => row.state !== "completed")
  .reduce((sum, row) => sum + row.n, 0);
await boss.stop({ graceful: true, timeout: 10_000 });

// ─── Report ──────────────────────────────────────────────────────────────────────────────────

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? "✓" : "✗");
type SideResult = typeof skillrun;
const sides = [
  { side: "Skillrun (engine)", result: skillrun },
  { side: "pg-boss", result: pgboss },
  { side: "pg-boss, a job per step", result: pgbossSteps },
];
const baselines = [
  { label: "ratio Skillrun / pg-boss", result: pgboss },
  { label: "ratio Skillrun / pg-boss job per step", result: pgbossSteps },
];
console.log(
  `\nEvery side: runs.start through the tRPC fetch handler in this process (no socket, no Next), ${TENANTS} tenants × ${CONCURRENCY} runs at once, instant mock model, the same PostgreSQL database.`,
);
const sequentialOf = (result: SideResult) => {
  const phase = result.sequential;
  if (!phase) throw new Error("no sequential phase");
  return phase;
};
if (SEQUENTIAL) {
  const ours = sequentialOf(skillrun);
  printTable(
    `${SEQUENTIAL} runs one at a time (start = before the tRPC call; running/terminal = the row's started_at/finished_at)`,
    [
      ...sides.map(({ side, result }) => ({
        side,
        "start → terminal p50": ms(sequentialOf(result).startToTerminal.p50),
        "start → terminal p99": ms(sequentialOf(result).startToTerminal.p99),
        "start → running p50": ms(sequentialOf(result).startToRunning.p50),
        "runs.start answered p50": ms(sequentialOf(result).startCall.p50),
      })),
      ...baselines.map(({ label, result }) => {
        const theirs = sequentialOf(result);
        return {
          side: label,
          "start → terminal p50": ratio(ours.startToTerminal.p50, theirs.startToTerminal.p50),
          "start → terminal p99": ratio(ours.startToTerminal.p99, theirs.startToTerminal.p99),
          "start → running p50": ratio(ours.startToRunning.p50, theirs.startToRunning.p50),
          "runs.start answered p50": ratio(ours.startCall.p50, theirs.startCall.p50),
        };
      }),
    ],
  );
}
const loaded = skillrun.loaded;
printTable(
  `${RUNS} runs, ${CLIENTS} closed-loop clients (each starts a run and waits for it to end)`,
  [
    ...sides.map(({ side, result }) => ({
      side,
      "runs/s": result.loaded.runsPerSecond.toFixed(1),
      "start → terminal p50": ms(result.loaded.startToTerminal.p50),
      "start → terminal p99": ms(result.loaded.startToTerminal.p99),
      "start → running p50": ms(result.loaded.startToRunning.p50),
      "runs.start answered p50": ms(result.loaded.startCall.p50),
      "running per tenant (mean / max)": `${result.loaded.runningPerTenant.mean.toFixed(1)} / ${result.loaded.runningPerTenant.max}`,
    })),
    ...baselines.map(({ label, result }) => ({
      side: label,
      "runs/s": ratio(loaded.runsPerSecond, result.loaded.runsPerSecond),
      "start → terminal p50": ratio(loaded.startToTerminal.p50, result.loaded.startToTerminal.p50),
      "start → terminal p99": ratio(loaded.startToTerminal.p99, result.loaded.startToTerminal.p99),
      "start → running p50": ratio(loaded.startToRunning.p50, result.loaded.startToRunning.p50),
      "runs.start answered p50": ratio(loaded.startCall.p50, result.loaded.startCall.p50),
      "running per tenant (mean / max)": "",
    })),
  ],
);
printTable(
  `Where the loaded phase's work went, per run (statements: pg_stat_statements; CPU: /proc, ${TICK_MS} ms ticks)`,
  [
    ...sides.map(({ side, result }) => ({
      side,
      "app statements": result.statementsPerRun.app.toFixed(1),
      "queue statements": result.statementsPerRun.queue.toFixed(1),
      "HTTP exchanges": (
        result.httpExchangesPerRun.appToEngine + result.httpExchangesPerRun.engineToApp
      ).toFixed(1),
      "CPU app": ms(result.cpu.msPerRun.app),
      "CPU engine": ms(result.cpu.msPerRun.engine),
      "CPU postgres": ms(result.cpu.msPerRun.postgres),
      "CPU total": ms(result.cpu.msPerRun.total),
      "machine busy": `${(result.cpu.machineBusyShare * 100).toFixed(0)} %`,
      "of it other processes": `${(result.cpu.otherProcessesShare * 100).toFixed(0)} %`,
    })),
    ...baselines.map(({ label, result }) => ({
      side: label,
      "app statements": ratio(skillrun.statementsPerRun.app, result.statementsPerRun.app),
      "queue statements": ratio(skillrun.statementsPerRun.queue, result.statementsPerRun.queue),
      "HTTP exchanges": "",
      "CPU app": ratio(skillrun.cpu.msPerRun.app, result.cpu.msPerRun.app),
      "CPU engine": "",
      "CPU postgres": ratio(skillrun.cpu.msPerRun.postgres, result.cpu.msPerRun.postgres),
      "CPU total": ratio(skillrun.cpu.msPerRun.total, result.cpu.msPerRun.total),
      "machine busy": "",
      "of it other processes": "",
    })),
  ],
);
printTable(
  `Queue statements per run in the loaded phase, by what they touch (HTTP exchanges per run: ${skillrun.httpExchangesPerRun.appToEngine.toFixed(1)} app → engine, ${skillrun.httpExchangesPerRun.engineToApp.toFixed(1)} engine → app)`,
  sides.flatMap(({ side, result }) =>
    result.statementKinds.map(({ kind, perRun }) => ({
      side,
      statement: kind,
      "per run": perRun.toFixed(2),
    })),
  ),
);
printTable(
  "Integrity (warm-up and sequential runs included)",
  sides.map(({ side, result }) => ({
    side,
    expected: result.integrity.expected,
    "run rows": result.integrity.rows,
    complete: result.integrity.complete,
    "lost (unfinished)": result.integrity.unfinished,
    "start errors": result.integrity.startErrors,
    "model calls": result.integrity.modelCalls,
    "runs with ≠1 running/terminal event": result.integrity.runsWithWrongTimeline,
    "engine runs / jobs": result.integrity.queueJobs,
    "duplicated deliveries": result.integrity.queueJobsPerRunAboveOne,
  })),
);
const goalRatios = {
  throughputToPlain: loaded.runsPerSecond / pgboss.loaded.runsPerSecond,
  throughputToStepJobs: loaded.runsPerSecond / pgbossSteps.loaded.runsPerSecond,
  loadedP99ToPlain: loaded.startToTerminal.p99 / pgboss.loaded.startToTerminal.p99,
};
const lostOrDuplicated = sides.reduce(
  (sum, { result }) => sum + result.integrity.unfinished + result.integrity.queueJobsPerRunAboveOne,
  0,
);
printTable("Issue 19's goals (measured in this run; not asserted)", [
  {
    goal: `throughput ≥ ${GOALS.throughputToStepJobs.toFixed(1)}× pg-boss job per step`,
    measured: ratio(goalRatios.throughputToStepJobs, 1),
    met: verdict(goalRatios.throughputToStepJobs >= GOALS.throughputToStepJobs),
  },
  {
    goal: `throughput ≥ ${GOALS.throughputToPlain}× plain pg-boss (stretch 1.0×)`,
    measured: ratio(goalRatios.throughputToPlain, 1),
    met: verdict(goalRatios.throughputToPlain >= GOALS.throughputToPlain),
  },
  {
    goal: `loaded p99 ≤ ${GOALS.loadedP99ToPlain}× plain pg-boss`,
    measured: ratio(goalRatios.loadedP99ToPlain, 1),
    met: verdict(goalRatios.loadedP99ToPlain <= GOALS.loadedP99ToPlain),
  },
  {
    goal: `engine statements per run ≤ ${GOALS.engineStatementsPerRun}`,
    measured: skillrun.statementsPerRun.queue.toFixed(3),
    met: verdict(skillrun.statementsPerRun.queue <= GOALS.engineStatementsPerRun),
  },
  {
    goal: "0 lost, 0 duplicated (every side)",
    measured: String(lostOrDuplicated),
    met: verdict(lostOrDuplicated === 0),
  },
]);
for (const { side, result } of sides)
  for (const error of result.errors) console.log(`${side}: ${error}`);
for (const error of bossErrors.slice(0, 5)) console.log(`pg-boss error: ${error}`);

const problems: string[] = [];
for (const { side, result } of sides) {
  const i = result.integrity;
  if (i.started !== i.expected || i.startErrors)
    problems.push(
      `${side}: ${i.started} of ${i.expected} starts created a run (${i.startErrors} errors)`,
    );
  if (i.rows !== i.expected) problems.push(`${side}: ${i.rows} run rows for ${i.expected} starts`);
  if (i.complete !== i.expected)
    problems.push(
      `${side}: ${i.complete} of ${i.expected} runs complete (${i.unfinished} unfinished, ${i.timedOut} timed out; ${i.notComplete.join("; ")})`,
    );
  if (i.modelCalls !== i.expected)
    problems.push(`${side}: ${i.modelCalls} model calls for ${i.expected} runs`);
  if (i.runsWithWrongTimeline)
    problems.push(
      `${side}: ${i.runsWithWrongTimeline} runs without exactly one running and one terminal event`,
    );
  if (side === "pg-boss" && result.loaded.runningPerTenant.max > CONCURRENCY)
    problems.push(
      `${side}: ${result.loaded.runningPerTenant.max} runs of one tenant executed at once (limit ${CONCURRENCY})`,
    );
  if (i.queueJobs !== i.expectedQueueJobs || i.queueJobsPerRunAboveOne)
    problems.push(
      `${side}: ${i.queueJobs} engine runs/jobs for ${i.expected} runs (${i.expectedQueueJobs} expected), ${i.queueJobsPerRunAboveOne} duplicated`,
    );
}
if (engineNotCompleted) problems.push(`Skillrun: ${engineNotCompleted} engine runs not Completed`);
if (bossNotCompleted) problems.push(`pg-boss: ${bossNotCompleted} jobs not completed`);
if (stepJobsNotCompleted)
  problems.push(`pg-boss, a job per step: ${stepJobsNotCompleted} jobs not completed`);
if (bossErrors.length) problems.push(`pg-boss: ${bossErrors.length} errors`);
for (const problem of problems) console.error(`FAIL ${problem}`);

await writeResult("queue", {
  config: {
    runs: RUNS,
    clients: CLIENTS,
    sequential: SEQUENTIAL,
    warmup: WARMUP,
    tenants: TENANTS,
    concurrencyPerTenant: CONCURRENCY,
    pgbossBatchSize: BATCH_SIZE,
    start: "runs.start via the tRPC fetch handler, in process",
  },
  skillrun,
  pgboss,
  pgbossSteps,
  ratios: Object.fromEntries(
    baselines.map(({ label, result }) => [
      label,
      {
        throughput: loaded.runsPerSecond / result.loaded.runsPerSecond,
        loadedP50: loaded.startToTerminal.p50 / result.loaded.startToTerminal.p50,
        loadedP99: loaded.startToTerminal.p99 / result.loaded.startToTerminal.p99,
        cpuPerRun: skillrun.cpu.msPerRun.total / result.cpu.msPerRun.total,
        ...(skillrun.sequential && result.sequential
          ? {
              sequentialP50:
                skillrun.sequential.startToTerminal.p50 / result.sequential.startToTerminal.p50,
              sequentialP99:
                skillrun.sequential.startToTerminal.p99 / result.sequential.startToTerminal.p99,
            }
          : {}),
      },
    ]),
  ),
  goalRatios,
  problems,
});

await bench.end();
await closeDb();
await database.close();
process.exit(problems.length ? 1 : 0);
