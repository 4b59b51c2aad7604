/**
 * `npm run bench:schedules` — one schedules tick at volume: 10,000 enabled schedules of which
 * exactly 500 are due. Each round runs `fireDueSchedules` (the tick the `fire-schedules`
 * function runs every minute) with the clock one minute on, so the same 500 are due again;
 * the runs are dispatched for real to the embedded engine (its own process, as in
 * bench:dispatch; no function is registered, so the runs stay queued). Measured per round:
 * the tick's wall time (and the part spent dispatching after commit), its database time and
 * statements from pg_stat_statements, and against it the bare SQL of the due-selection (the
 * tick's own statement, `.toSQL()`, on a plain postgres client, in a transaction rolled back),
 * and beside the tick's dispatch (one send a run) as many events sent to the same engine in
 * arrays of 100. The due-selection is EXPLAINed (ANALYZE) before and after the rounds: it must
 * use schedules_due_idx and never Seq Scan schedules, or the bench fails; so does a round that
 * does not fire exactly the due schedules, or a fired slot without its run and engine event.
 *
 * BENCH_SCHEDULES, BENCH_SCHEDULES_DUE and BENCH_SCHEDULES_ROUNDS change the volume.
 */
import { spawn } from "node:child_process";
import { and, asc, count, eq, lte, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import postgres from "postgres";
import { createDatabase } from "@/server/db/client";
import { migrateDatabase } from "@/server/db/migrate";
import {
  agents,
  agentSkills,
  agentTemplates,
  schedules,
  scheduleSlots,
  skillRuns,
  skills,
  tenants,
  tenantSettings,
  type ScheduleInputValue,
} from "@/server/db/schema";
import { RUN_REQUESTED } from "@/inngest/events";
import type { RunDispatcher, RunServiceDeps } from "@/server/services/runs/runs";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { benchDatabase, ms, percentile, printTable, writeResult } from "./lib";
import { firstFreePort } from "../lib/embedded-postgres";

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const DUE = Number(process.env.BENCH_SCHEDULES_DUE ?? 500);
const ROUNDS = Number(process.env.BENCH_SCHEDULES_ROUNDS ?? 5);
const TENANTS = 5;
/** fireDueSchedules' default batch. */
const BATCH = 100;
const BARE_REPEATS = 20;
const GOAL_MS = 1_000;
const MINUTE = 60_000;

if (
  !Number.isInteger(SCHEDULES) ||
  !Number.isInteger(DUE) ||
  DUE < 1 ||
  DUE > SCHEDULES ||
  !Number.isInteger(ROUNDS) ||
  ROUNDS < 1
) {
  console.error(
    "BENCH_SCHEDULES ≥ BENCH_SCHEDULES_DUE ≥ 1 and BENCH_SCHEDULES_ROUNDS ≥ 1, all integers",
  );
  process.exit(2);
}

const database = await benchDatabase("schedules", {
  settings: { shared_preload_libraries: "pg_stat_statements" },
});
await migrateDatabase(database.url);
const { db, close: closeDb } = createDatabase(database.url, { max: 10 });
const bare = postgres(database.url, { max: 1, onnotice: () => {} });
await db.execute("create extension if not exists pg_stat_statements");

// 1. Tenants, each with a skill and a default agent; SCHEDULES schedules, DUE of them due.
async function tenant(index: number) {
  const id = crypto.randomUUID();
  await db.insert(tenants).values({ id, name: `Bench ${index}`, slug: `bench-${index}` });
  await db.insert(tenantSettings).values({ tenantId: id });
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId: id,
      origin: "tenant",
      slug: "digest",
      name: "Digest",
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({
        type: "object",
        required: ["topic"],
        properties: {
          topic: { type: "string", title: "Topic" },
          day: { type: "string", format: "date", title: "Day" },
        },
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
const world = await Promise.all(Array.from({ length: TENANTS }, (_, index) => tenant(index)));

/** The first tick's clock, on a minute so the every-minute schedules have no missed slot. */
const start = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const FUTURE_CRONS = ["0 9 * * 1-5", "*/15 * * * *", "0 * * * *", "30 6 * * *", "0 0 1 * *"];
const TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Auckland"];
const inputs: Record<string, ScheduleInputValue> = {
  topic: { kind: "literal", value: "Pipeline" },
  day: { kind: "relative-date", anchor: "today", offsetDays: 1 },
};
const seedStarted = performance.now();
for (let offset = 0; offset < SCHEDULES; offset += 1_000) {
  const rows = Array.from({ length: Math.min(1_000, SCHEDULES - offset) }, (_, i) => {
    const index = offset + i;
    const owner = world[index % TENANTS]!;
    const due = index < DUE;
    // Half name their agent, half use the tenant's default (both are one lookup in createRun).
    const agent =
      index % 2 === 0
        ? { agentId: owner.agentId, usesDefaultAgent: false }
        : { agentId: null, usesDefaultAgent: true };
    return {
      tenantId: owner.id,
      name: `Schedule ${index}`,
      skillId: owner.skillId,
      ...agent,
      inputs,
      overlapPolicy: "allow" as const,
      enabled: true,
      ...(due
        ? // Every minute, due within the last minute (spread, so the order by matters).
          {
            cron: "* * * * *",
            timezone: "UTC",
            nextFireAt: new Date(start.getTime() - (index % 590) * 100),
          }
        : // Later: from an hour on, spread over a week.
          {
            cron: FUTURE_CRONS[index % FUTURE_CRONS.length]!,
            timezone: TIMEZONES[index % TIMEZONES.length]!,
            nextFireAt: new Date(start.getTime() + 60 * MINUTE + (index % 10_080) * MINUTE),
          }),
    };
  });
  await db.insert(schedules).values(rows);
}
// What autovacuum would have done by now on a table this size.
await db.execute("analyze schedules");
const seedSeconds = (performance.now() - seedStarted) / 1000;
const [{ enabled: enabledCount = 0, due: dueCount = 0 } = {}] = await db
  .select({
    enabled: count(),
    due: sql<number>`count(*) filter (where ${lte(schedules.nextFireAt, start)})`.mapWith(Number),
  })
  .from(schedules)
  .where(eq(schedules.enabled, true));
if (enabledCount !== SCHEDULES || dueCount !== DUE)
  throw new Error(
    `seeded ${enabledCount} enabled / ${dueCount} due, expected ${SCHEDULES} / ${DUE}`,
  );
console.log(
  `${SCHEDULES.toLocaleString("en")} enabled schedules (${DUE} due) across ${TENANTS} tenants in ${seedSeconds.toFixed(1)} s`,
);

// 2. The engine, in its own process; the tick's dispatcher is the Inngest client, timed.
const enginePort = await firstFreePort(58_488);
const engineUrl = `http://127.0.0.1:${enginePort}`;
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
const client = new Inngest({ id: "skillrun-bench", isDev: true, baseUrl: engineUrl });
/** The wall time with at least one send in flight (the tick may send several at once), and the sends. */
const dispatchClock = { ms: 0, sends: 0, inFlight: 0, since: 0 };
const dispatcher: RunDispatcher = {
  send: async (event) => {
    if (dispatchClock.inFlight++ === 0) dispatchClock.since = performance.now();
    try {
      return await client.send(event);
    } finally {
      dispatchClock.sends++;
      if (--dispatchClock.inFlight === 0)
        dispatchClock.ms += performance.now() - dispatchClock.since;
    }
  },
};
const deps: RunServiceDeps = { db, dispatcher };

// 3. The due-selection: the tick's own statement, and its plan.
const dueSelection = (now: Date) =>
  db
    .select()
    .from(schedules)
    .where(and(eq(schedules.enabled, true), lte(schedules.nextFireAt, now)))
    .orderBy(asc(schedules.nextFireAt))
    .limit(BATCH)
    .for("update", { skipLocked: true })
    .toSQL();

/** Runs `work` on one connection inside a transaction that is always rolled back. */
async function rolledBack<T>(work: (tx: postgres.ReservedSql) => Promise<T>): Promise<T> {
  const connection = await bare.reserve();
  try {
    await connection`begin`;
    return await work(connection);
  } finally {
    await connection`rollback`;
    connection.release();
  }
}

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
};
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

async function explainDueSelection(now: Date) {
  const { sql: query, params } = dueSelection(now);
  const values = params as postgres.ParameterOrJSON<never>[];
  const [text, json] = await rolledBack(async (tx) => [
    await tx.unsafe<{ "QUERY PLAN": string }[]>(
      `explain (analyze, buffers, costs off) ${query}`,
      values,
    ),
    await tx.unsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
      `explain (analyze, format json) ${query}`,
      values,
    ),
  ]);
  const nodes = planNodes(json[0]!["QUERY PLAN"][0].Plan);
  const usesDueIndex = nodes.some((node) => node["Index Name"] === "schedules_due_idx");
  const seqScansSchedules = nodes.some(
    (node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "schedules",
  );
  return { plan: text.map((row) => row["QUERY PLAN"]), usesDueIndex, seqScansSchedules };
}

async function timeBareSelection(now: Date): Promise<{ ms: number; rows: number }> {
  const { sql: query, params } = dueSelection(now);
  return rolledBack(async (tx) => {
    const began = performance.now();
    const rows = await tx.unsafe(query, params as postgres.ParameterOrJSON<never>[]);
    return { ms: performance.now() - began, rows: rows.length };
  });
}

const explainBefore = await explainDueSelection(start);
console.log(
  `\nEXPLAIN ANALYZE of the due-selection (${DUE} due, limit ${BATCH}):\n${explainBefore.plan.join("\n")}`,
);

// 4. The rounds: round 0 warms up (JIT, validators, connections) and is not counted.
type StatementRow = { query: string; calls: number; ms: number };
async function appStatements(): Promise<{
  app: StatementRow[];
  engine: { calls: number; ms: number };
}> {
  const rows = await db.execute<{
    query: string;
    calls: string;
    total_ms: number;
    engine: boolean;
  }>(
    `select regexp_replace(query, '\\s+', ' ', 'g') as query, calls, total_exec_time as total_ms, query ilike '%inngest_engine%' as engine
     from pg_stat_statements where query not ilike '%pg_stat_statements%'`,
  );
  const app = rows
    .filter((row) => !row.engine)
    .map((row) => ({ query: row.query, calls: Number(row.calls), ms: Number(row.total_ms) }));
  const engineRows = rows.filter((row) => row.engine);
  return {
    app,
    engine: {
      calls: engineRows.reduce((sum, row) => sum + Number(row.calls), 0),
      ms: engineRows.reduce((sum, row) => sum + Number(row.total_ms), 0),
    },
  };
}

type Round = {
  round: number;
  warmup: boolean;
  now: string;
  fired: number;
  wallMs: number;
  dispatchMs: number;
  sends: number;
  dbMs: number;
  statements: number;
  engineDbMs: number;
  engineStatements: number;
  bareMs: number[];
  arraySendsMs: number;
};
const rounds: Round[] = [];
const statementTotals = new Map<string, { calls: number; ms: number }>();
let integrityProblems: string[] = [];
for (let round = 0; round <= ROUNDS; round++) {
  const now = new Date(start.getTime() + round * MINUTE);
  // The bare due-selection first, while all DUE are due.
  const bareMs: number[] = [];
  for (let repeat = 0; repeat < BARE_REPEATS; repeat++) {
    const timed = await timeBareSelection(now);
    if (timed.rows !== Math.min(BATCH, DUE))
      integrityProblems.push(`round ${round}: the bare due-selection returned ${timed.rows} rows`);
    bareMs.push(timed.ms);
  }

  await db.execute("select pg_stat_statements_reset()");
  dispatchClock.ms = 0;
  dispatchClock.sends = 0;
  const began = performance.now();
  const summary = await fireDueSchedules(deps, { now });
  const wallMs = performance.now() - began;
  const statements = await appStatements();
  // For comparison: as many events to the same engine in arrays of BATCH, one request each
  // (under another name, so no run is concerned).
  const arraySendsBegan = performance.now();
  for (let offset = 0; offset < DUE; offset += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, DUE - offset) }, () => ({
      name: "bench/dispatch-floor",
      data: { runId: crypto.randomUUID(), tenantId: world[0]!.id },
    }));
    await client.send(events);
  }
  const arraySendsMs = performance.now() - arraySendsBegan;
  if (
    summary.fired !== DUE ||
    summary.schedules !== DUE ||
    summary.failed ||
    summary.missed ||
    summary.skipped
  ) {
    integrityProblems.push(`round ${round}: ${JSON.stringify(summary)}`);
  }
  if (round > 0) {
    for (const row of statements.app) {
      const total = statementTotals.get(row.query) ?? { calls: 0, ms: 0 };
      statementTotals.set(row.query, { calls: total.calls + row.calls, ms: total.ms + row.ms });
    }
  }
  rounds.push({
    round,
    warmup: round === 0,
    now: now.toISOString(),
    fired: summary.fired,
    wallMs,
    dispatchMs: dispatchClock.ms,
    sends: dispatchClock.sends,
    dbMs: statements.app.reduce((sum, row) => sum + row.ms, 0),
    statements: statements.app.reduce((sum, row) => sum + row.calls, 0),
    engineDbMs: statements.engine.ms,
    engineStatements: statements.engine.calls,
    bareMs,
    arraySendsMs,
  });
}
const explainAfter = await explainDueSelection(new Date(start.getTime() + (ROUNDS + 1) * MINUTE));

// 5. Integrity: every slot fired once, with one run and one event at the engine.
const totalFired = DUE * (ROUNDS + 1);
const [{ runs = 0 } = {}] = await db.select({ runs: count() }).from(skillRuns);
const [{ slots = 0 } = {}] = await db
  .select({ slots: count() })
  .from(scheduleSlots)
  .where(eq(scheduleSlots.outcome, "fired"));
const [{ events = 0 } = {}] = (await db.execute<{ events: number }>(
  sql`select count(*)::int as events from inngest_engine.events where name = ${RUN_REQUESTED}`,
)) as unknown as [{ events: number }];
if (runs !== totalFired || slots !== totalFired || events !== totalFired) {
  integrityProblems.push(
    `expected ${totalFired} runs, fired slots and engine events; found ${runs} runs, ${slots} slots, ${events} events`,
  );
}
integrityProblems = [...new Set(integrityProblems)];

// 6. Report.
const measured = rounds.filter((round) => !round.warmup);
const wall = measured.map((round) => round.wallMs);
const dbTime = measured.map((round) => round.dbMs);
const dispatchTime = measured.map((round) => round.dispatchMs);
const bareAll = measured.flatMap((round) => round.bareMs);
const inTransactions = measured.map((round) => round.wallMs - round.dispatchMs);
const arraySends = measured.map((round) => round.arraySendsMs);
const statementsPerFired =
  measured.reduce((sum, round) => sum + round.statements, 0) /
  measured.reduce((sum, round) => sum + round.fired, 0);
const summary = {
  config: {
    schedules: SCHEDULES,
    due: DUE,
    tenants: TENANTS,
    batchSize: BATCH,
    rounds: ROUNDS,
    bareRepeatsPerRound: BARE_REPEATS,
    goalMs: GOAL_MS,
  },
  tick: {
    wallMs: { p50: percentile(wall, 50), max: Math.max(...wall) },
    /** Selecting, creating runs, recording slots: the wall time outside the sends. */
    inTransactionsMs: { p50: percentile(inTransactions, 50), max: Math.max(...inTransactions) },
    dispatchMs: { p50: percentile(dispatchTime, 50), max: Math.max(...dispatchTime) },
    dbMs: { p50: percentile(dbTime, 50), max: Math.max(...dbTime) },
    statementsPerFiredSchedule: statementsPerFired,
    engineDbMsP50: percentile(
      measured.map((round) => round.engineDbMs),
      50,
    ),
  },
  bareDueSelectionMs: { p50: percentile(bareAll, 50), max: Math.max(...bareAll) },
  arraySendsMs: { p50: percentile(arraySends, 50), max: Math.max(...arraySends) },
  ratioTickToBare: percentile(wall, 50) / percentile(bareAll, 50),
  /** The steady state (p50); the slowest round is reported beside it. */
  goalMet: percentile(wall, 50) <= GOAL_MS,
  everyRoundWithinGoal: Math.max(...wall) <= GOAL_MS,
  explain: { before: explainBefore, after: explainAfter },
  integrity: {
    runs,
    firedSlots: slots,
    engineEvents: events,
    expected: totalFired,
    problems: integrityProblems,
  },
};

printTable(
  `Rounds: fireDueSchedules with ${DUE} of ${SCHEDULES.toLocaleString("en")} schedules due (round 0 warms up)`,
  rounds.map((round) => ({
    round: round.warmup ? "0 (warm-up)" : round.round,
    fired: round.fired,
    "tick wall": ms(round.wallMs),
    "of which dispatch": ms(round.dispatchMs),
    "db time (app)": ms(round.dbMs),
    statements: round.statements,
    "engine db time": ms(round.engineDbMs),
    "bare select p50": ms(percentile(round.bareMs, 50)),
    [`${DUE} events in arrays of ${BATCH}`]: ms(round.arraySendsMs),
  })),
);
printTable(`Summary over ${ROUNDS} rounds`, [
  {
    "tick wall p50": ms(summary.tick.wallMs.p50),
    "tick wall max": ms(summary.tick.wallMs.max),
    "in transactions p50": ms(summary.tick.inTransactionsMs.p50),
    "dispatch p50": ms(summary.tick.dispatchMs.p50),
    "db time p50": ms(summary.tick.dbMs.p50),
    "statements/fired": statementsPerFired.toFixed(2),
    "bare select p50": ms(summary.bareDueSelectionMs.p50),
    "ratio tick/bare": summary.ratioTickToBare.toFixed(0),
    goal: `p50 ≤ ${GOAL_MS} ms: ${summary.goalMet ? "met" : "NOT met"}${summary.everyRoundWithinGoal ? "" : " (not every round)"}`,
  },
]);
const topStatements = [...statementTotals.entries()]
  .map(([query, total]) => ({ query, calls: total.calls, ms: total.ms }))
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 15);
const firedMeasured = DUE * ROUNDS;
printTable(
  "Where the tick's database time goes (pg_stat_statements, measured rounds)",
  topStatements.map((row) => ({
    "per fired": (row.calls / firedMeasured).toFixed(2),
    "ms per tick": (row.ms / ROUNDS).toFixed(1),
    query: row.query.slice(0, 110),
  })),
);
printTable("Due-selection plan", [
  {
    when: "before the rounds",
    "uses schedules_due_idx": String(explainBefore.usesDueIndex),
    "seq scan on schedules": String(explainBefore.seqScansSchedules),
  },
  {
    when: "after the rounds",
    "uses schedules_due_idx": String(explainAfter.usesDueIndex),
    "seq scan on schedules": String(explainAfter.seqScansSchedules),
  },
]);
await writeResult("schedules", { ...summary, rounds, topStatements });

const planProblems = [explainBefore, explainAfter].flatMap((explain, index) => {
  const when = index === 0 ? "before" : "after";
  return [
    ...(explain.usesDueIndex
      ? []
      : [`the due-selection does not use schedules_due_idx (${when} the rounds)`]),
    ...(explain.seqScansSchedules
      ? [`the due-selection scans schedules sequentially (${when} the rounds)`]
      : []),
  ];
});
for (const problem of [...planProblems, ...integrityProblems]) console.error(`FAIL: ${problem}`);

engine.kill("SIGTERM");
await new Promise((resolve) => engine.once("exit", resolve));
await bare.end({ timeout: 5 });
await closeDb();
await database.close();
process.exit(planProblems.length || integrityProblems.length ? 1 : 0);
