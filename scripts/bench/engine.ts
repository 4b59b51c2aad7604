/**
 * `npm run bench:engine` — the embedded engine against the bare SDK protocol, in one run.
 *
 *  (a) runs of a no-op 3-step function through the engine (engine as its own process, as
 *      `npm run engine` starts it), from `inngest.send` to the function's return;
 *  (b) the 4-call floor: the same serve handler driven by the minimal sequence of hand-built
 *      protocol requests in the mode the engine speaks today (discovery, then one call per
 *      memoized step; no scheduling, no persistence);
 *  (c) the checkpoint floor: one hand-built request carrying `ctx.fn_id` and `ctx.qi_id`, which
 *      puts the SDK in async-checkpointing mode, as real Inngest servers do: it runs the three
 *      steps in that one request, POSTs each to `/v1/checkpoint/{runId}/async` on a stub that
 *      acknowledges at once and keeps nothing, and answers `206 [RunComplete]`;
 *  the three interleaved run by run, so load from elsewhere on the machine hits them alike.
 *  Then 2,000 runs started at once (duplicates and losses counted), and the engine's RSS after
 *  10,000 completed runs.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import postgres from "postgres";
import { benchDatabase, ms, printTable, writeResult } from "./lib";
import { firstFreePort } from "../lib/embedded-postgres";
import {
  checkpointFloorRun,
  checkpointStub,
  fourCallFloorRun,
  listen,
  measureInterleaved,
} from "./protocol-floors";

const SEQUENTIAL_RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 300);
const BURST_RUNS = Number(process.env.BENCH_ENGINE_BURST ?? 2_000);
const RSS_AFTER_RUNS = Number(process.env.BENCH_ENGINE_RSS_RUNS ?? 10_000);
const CALLS_PER_RUN = 4; // three steps executed inline, then the final call that returns
const STEPS_PER_RUN = 3;
const FUNCTION_SLUG = "bench-three-steps";
// Issue 19's goals, printed next to the figures; never asserted.
const GOAL_RATIO_TO_FLOOR = 1.2;
const GOAL_BURST_RUNS_PER_SECOND = 200;
const GOAL_RSS_MB = 200;

const database = await benchDatabase("engine");
const enginePort = await firstFreePort(58_288);
const engineUrl = `http://127.0.0.1:${enginePort}`;

const stepExecutions = new Map<string, number>();
const completions = new Map<string, () => void>();
const countStep = (key: string) => stepExecutions.set(key, (stepExecutions.get(key) ?? 0) + 1);
/** The function under test; its client's base URL is where the SDK sends events and checkpoints. */
function threeStepsFor(client: Inngest.Any) {
  return client.createFunction(
    { id: "three-steps", retries: 0, triggers: [{ event: "bench/go" }] },
    async ({ event, step }) => {
      const key = String(event.data.key);
      const a = await step.run("a", () => (countStep(`${key}:a`), 1));
      const b = await step.run("b", () => (countStep(`${key}:b`), a + 1));
      const c = await step.run("c", () => (countStep(`${key}:c`), b + 1));
      completions.get(key)?.();
      return c;
    },
  );
}

// The app: the real SDK serving the function, in this process, pointed at the engine.
const client = new Inngest({ id: "bench", isDev: true, baseUrl: engineUrl });
const app = http.createServer(serve({ client, functions: [threeStepsFor(client)] }));
const appUrl = `${await listen(app)}/api/inngest`;

const stub = checkpointStub();
const checkpointClient = new Inngest({
  id: "bench",
  isDev: true,
  baseUrl: await listen(stub.server),
});
const checkpointApp = http.createServer(
  serve({ client: checkpointClient, functions: [threeStepsFor(checkpointClient)] }),
);
const checkpointAppUrl = `${await listen(checkpointApp)}/api/inngest`;

// The engine runs with the flags of `npm run engine` (package.json); BENCH_ENGINE_NODE_FLAGS
// replaces them to compare V8 settings ("" for none).
const engineNodeFlags = (process.env.BENCH_ENGINE_NODE_FLAGS ?? "--max-semi-space-size=4")
  .split(" ")
  .filter(Boolean);
const engine = spawn(
  process.execPath,
  [
    ...engineNodeFlags,
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
    "--retry-interval",
    "0.1",
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
const sql = postgres(database.url, { max: 1, onnotice: () => {} });
// Healthy is not enough: an event sent before the engine has synced the app starts no run.
for (let attempt = 0; ; attempt++) {
  const healthy = await fetch(`${engineUrl}/health`)
    .then((r) => r.ok)
    .catch(() => false);
  const synced =
    healthy &&
    (await sql<{ n: number }[]>`select count(*)::int as n from inngest_engine.functions`.then(
      ([row]) => (row?.n ?? 0) > 0,
      () => false,
    ));
  if (synced) break;
  if (attempt > 300) throw new Error("the engine did not start or sync the app");
  await new Promise((resolve) => setTimeout(resolve, 100));
}

function completion(key: string): Promise<void> {
  return new Promise((resolve) => completions.set(key, () => (completions.delete(key), resolve())));
}

const TERMINAL = ["Completed", "Failed", "Cancelled"];
/**
 * The engine finalizes a run after the function has returned (the measured end). Waiting for
 * that outside the measured time keeps the finalize off the CPU while the next path runs.
 */
async function engineRunSettled(eventId: string) {
  for (let attempt = 0; attempt < 5_000; attempt++) {
    const response = await fetch(`${engineUrl}/v1/events/${eventId}/runs`);
    const { data } = (await response.json()) as { data: { status: string }[] };
    if (data.length && data.every((run) => TERMINAL.includes(run.status))) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`the engine did not finish the run of event ${eventId}`);
}

async function viaEngine(): Promise<number> {
  const key = randomUUID();
  const done = completion(key);
  const started = performance.now();
  const { ids } = await client.send({ name: "bench/go", data: { key } });
  await done;
  const elapsed = performance.now() - started;
  for (const id of ids) await engineRunSettled(id);
  return elapsed;
}

const [engineLatency, protocolLatency, checkpointLatency] = await measureInterleaved(
  [
    { label: "engine", once: viaEngine },
    {
      label: "4-call floor (the mode the engine speaks)",
      once: () => fourCallFloorRun(appUrl, FUNCTION_SLUG),
    },
    {
      label: "checkpoint floor (1 call + 3 checkpoints)",
      once: () => checkpointFloorRun(checkpointAppUrl, FUNCTION_SLUG, stub, STEPS_PER_RUN),
    },
  ],
  SEQUENTIAL_RUNS,
);
if (!engineLatency || !protocolLatency || !checkpointLatency) throw new Error("no latency");
const overheadPerCall = {
  p50: (engineLatency.p50 - protocolLatency.p50) / CALLS_PER_RUN,
  p99: (engineLatency.p99 - protocolLatency.p99) / CALLS_PER_RUN,
};
const ratios = {
  toProtocolFloor: {
    p50: engineLatency.p50 / protocolLatency.p50,
    p99: engineLatency.p99 / protocolLatency.p99,
  },
  toCheckpointFloor: {
    p50: engineLatency.p50 / checkpointLatency.p50,
    p99: engineLatency.p99 / checkpointLatency.p99,
  },
  checkpointFloorToProtocolFloor: {
    p50: checkpointLatency.p50 / protocolLatency.p50,
    p99: checkpointLatency.p99 / protocolLatency.p99,
  },
};
const times = (value: number) => `${value.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? "✓" : "✗");
printTable(
  `${SEQUENTIAL_RUNS} sequential runs of a 3-step function (send → return), the three paths interleaved`,
  [
    ...[engineLatency, protocolLatency, checkpointLatency].map((latency) => ({
      path: latency.label,
      p50: ms(latency.p50),
      p99: ms(latency.p99),
      goal: "",
    })),
    {
      path: "engine overhead per SDK call (vs the 4-call floor)",
      p50: ms(overheadPerCall.p50),
      p99: ms(overheadPerCall.p99),
      goal: "",
    },
    {
      path: "ratio engine / 4-call floor",
      p50: times(ratios.toProtocolFloor.p50),
      p99: times(ratios.toProtocolFloor.p99),
      goal: `p50 ≤ ${GOAL_RATIO_TO_FLOOR}× ${verdict(ratios.toProtocolFloor.p50 <= GOAL_RATIO_TO_FLOOR)}`,
    },
    {
      path: "ratio engine / checkpoint floor",
      p50: times(ratios.toCheckpointFloor.p50),
      p99: times(ratios.toCheckpointFloor.p99),
      goal: "",
    },
    {
      path: "ratio checkpoint floor / 4-call floor",
      p50: times(ratios.checkpointFloorToProtocolFloor.p50),
      p99: times(ratios.checkpointFloorToProtocolFloor.p99),
      goal: "",
    },
  ],
);

async function burst(count: number, timeoutMs: number) {
  const keys = Array.from({ length: count }, () => randomUUID());
  const done = Promise.all(keys.map(completion));
  const started = performance.now();
  for (let offset = 0; offset < count; offset += 1_000) {
    await client.send(
      keys.slice(offset, offset + 1_000).map((key) => ({ name: "bench/go", data: { key } })),
    );
  }
  const timedOut = Symbol("timeout");
  const outcome = await Promise.race([
    done,
    new Promise((resolve) => setTimeout(() => resolve(timedOut), timeoutMs)),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const lost = keys.filter((key) => completions.has(key)).length;
  const duplicated = keys.filter((key) =>
    ["a", "b", "c"].some((step) => (stepExecutions.get(`${key}:${step}`) ?? 0) > 1),
  ).length;
  for (const key of keys) completions.delete(key);
  return {
    count,
    seconds,
    runsPerSecond: count / seconds,
    lost,
    duplicated,
    timedOut: outcome === timedOut,
  };
}

const burstResult = await burst(BURST_RUNS, 300_000);
printTable(`${BURST_RUNS} runs started at once`, [
  {
    wall: `${burstResult.seconds.toFixed(1)} s`,
    "runs/s": burstResult.runsPerSecond.toFixed(0),
    lost: burstResult.lost,
    "duplicate step executions": burstResult.duplicated,
    goal: `≥ ${GOAL_BURST_RUNS_PER_SECOND} runs/s ${verdict(burstResult.runsPerSecond >= GOAL_BURST_RUNS_PER_SECOND)}`,
  },
]);

let completed = SEQUENTIAL_RUNS + 20 + BURST_RUNS;
while (completed < RSS_AFTER_RUNS) {
  const batch = Math.min(1_000, RSS_AFTER_RUNS - completed);
  const result = await burst(batch, 300_000);
  if (result.lost || result.timedOut)
    throw new Error(`lost ${result.lost} runs while filling to ${RSS_AFTER_RUNS}`);
  completed += batch;
}
// A run's last step answers the app before the engine records the run's end: let those land.
for (let waited = 0; waited < 30_000; waited += 100) {
  const [running] = await sql<{ n: number }[]>`
    select count(*)::int as n from inngest_engine.runs where status = 'Running'`;
  if (!running?.n) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const status = await readFile(`/proc/${engine.pid}/status`, "utf8").catch(() => "");
const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
const rssMB = (rssKiB * 1024) / 1e6;
const [counts] = await sql<{ completed: number; other: number }[]>`
  select count(*) filter (where status = 'Completed')::int as completed, count(*) filter (where status <> 'Completed')::int as other
  from inngest_engine.runs`;
const unfinished = await sql<{ status: string; output: unknown; runs: number }[]>`
  select status, output, count(*)::int as runs from inngest_engine.runs
  where status <> 'Completed' group by status, output limit 5`;
if (unfinished.length) console.log("Runs not completed:", JSON.stringify(unfinished));
await sql.end();
printTable(`after ${completed} runs`, [
  {
    "engine RSS": `${rssMB.toFixed(0)} MB (${(rssKiB / 1024).toFixed(0)} MiB)`,
    "completed runs in the store": counts?.completed ?? 0,
    "not completed": counts?.other ?? 0,
    goal: `≤ ${GOAL_RSS_MB} MB ${verdict(rssMB <= GOAL_RSS_MB)}`,
  },
]);

await writeResult("engine", {
  sequentialRuns: SEQUENTIAL_RUNS,
  engine: engineLatency,
  protocolFloor: protocolLatency,
  checkpointFloor: checkpointLatency,
  overheadPerCallMs: overheadPerCall,
  ratioP50: ratios.toProtocolFloor.p50,
  ratios,
  burst: burstResult,
  rssAfterRuns: { runs: completed, rssMB, rssMiB: rssKiB / 1024 },
  store: counts,
});

engine.kill("SIGTERM");
await new Promise((resolve) => engine.once("exit", resolve));
for (const server of [app, checkpointApp, stub.server]) {
  server.close();
  server.closeAllConnections();
}
await database.close();
const failed = burstResult.lost > 0 || burstResult.duplicated > 0 || (counts?.other ?? 0) > 0;
process.exit(failed ? 1 : 0);
