/**
 * `npm run bench:engine` — the embedded engine against the bare SDK protocol, in one run.
 *
 *  (a) runs of a no-op 3-step function through the engine (engine as its own process, as
 *      `npm run engine` starts it), from `inngest.send` to the function's return;
 *  (b) the same serve handler driven by the minimal sequence of hand-built protocol requests
 *      (no scheduling, no persistence) — the floor any engine is measured against;
 *  then 2,000 runs started at once (duplicates and losses counted), and the engine's RSS
 *  after 10,000 completed runs.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import postgres from "postgres";
import { benchDatabase, freePort, ms, percentile, printTable, writeResult } from "./lib";

const SEQUENTIAL_RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 300);
const BURST_RUNS = 2_000;
const RSS_AFTER_RUNS = 10_000;
const CALLS_PER_RUN = 4; // three steps executed inline, then the final call that returns

const database = await benchDatabase("engine");
const enginePort = await freePort(58_288);
const engineUrl = `http://127.0.0.1:${enginePort}`;

// The app: the real SDK serving one function, in this process.
const client = new Inngest({ id: "bench", isDev: true, baseUrl: engineUrl });
const stepExecutions = new Map<string, number>();
const completions = new Map<string, () => void>();
const countStep = (key: string) => stepExecutions.set(key, (stepExecutions.get(key) ?? 0) + 1);
const threeSteps = client.createFunction(
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
const app = http.createServer(serve({ client, functions: [threeSteps] }));
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
    "--retry-interval",
    "0.1",
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
for (let attempt = 0; ; attempt++) {
  const healthy = await fetch(`${engineUrl}/health`)
    .then((r) => r.ok)
    .catch(() => false);
  if (healthy) break;
  if (attempt > 200) throw new Error("the engine did not start");
  await new Promise((resolve) => setTimeout(resolve, 100));
}

function completion(key: string): Promise<void> {
  return new Promise((resolve) => completions.set(key, () => (completions.delete(key), resolve())));
}

async function viaEngine(): Promise<number> {
  const key = randomUUID();
  const done = completion(key);
  const started = performance.now();
  await client.send({ name: "bench/go", data: { key } });
  await done;
  return performance.now() - started;
}

/** The floor: discovery, then one call per memoized step, exactly what an ideal server sends. */
async function viaProtocol(): Promise<number> {
  const key = randomUUID();
  const event = { name: "bench/go", data: { key }, id: key, ts: Date.now(), user: {} };
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${appUrl}?fnId=bench-three-steps&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        event,
        events: [event],
        steps,
        ctx: {
          run_id: key,
          attempt: 0,
          max_attempts: 1,
          disable_immediate_execution: false,
          use_api: false,
          stack: { stack, current: stack.length },
        },
        version: 2,
      }),
    });
    const body = (await response.json()) as { id: string; data: unknown }[] | number;
    if (response.status === 200) break;
    if (response.status !== 206 || !Array.isArray(body))
      throw new Error(`unexpected ${response.status}`);
    for (const op of body) {
      steps[op.id] = { data: op.data };
      stack.push(op.id);
    }
  }
  return performance.now() - started;
}

async function measure(label: string, once: () => Promise<number>) {
  for (let index = 0; index < 20; index++) await once(); // warm-up
  const samples: number[] = [];
  for (let index = 0; index < SEQUENTIAL_RUNS; index++) samples.push(await once());
  return { label, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const engineLatency = await measure("engine", viaEngine);
const protocolLatency = await measure("protocol floor", viaProtocol);
const overheadPerCall = {
  p50: (engineLatency.p50 - protocolLatency.p50) / CALLS_PER_RUN,
  p99: (engineLatency.p99 - protocolLatency.p99) / CALLS_PER_RUN,
};
printTable(`${SEQUENTIAL_RUNS} sequential runs of a 3-step function (send → return)`, [
  { path: engineLatency.label, p50: ms(engineLatency.p50), p99: ms(engineLatency.p99) },
  { path: protocolLatency.label, p50: ms(protocolLatency.p50), p99: ms(protocolLatency.p99) },
  { path: "overhead per SDK call", p50: ms(overheadPerCall.p50), p99: ms(overheadPerCall.p99) },
  {
    path: "ratio engine / floor",
    p50: (engineLatency.p50 / protocolLatency.p50).toFixed(2),
    p99: (engineLatency.p99 / protocolLatency.p99).toFixed(2),
  },
]);

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
const status = await readFile(`/proc/${engine.pid}/status`, "utf8").catch(() => "");
const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
const sql = postgres(database.url, { max: 1 });
const [counts] = await sql<{ completed: number; other: number }[]>`
  select count(*) filter (where status = 'Completed')::int as completed, count(*) filter (where status <> 'Completed')::int as other
  from inngest_engine.runs`;
await sql.end();
printTable(`after ${completed} runs`, [
  {
    "engine RSS": `${rssMiB.toFixed(0)} MiB`,
    "completed runs in the store": counts?.completed ?? 0,
    "not completed": counts?.other ?? 0,
  },
]);

await writeResult("engine", {
  sequentialRuns: SEQUENTIAL_RUNS,
  engine: engineLatency,
  protocolFloor: protocolLatency,
  overheadPerCallMs: overheadPerCall,
  ratioP50: engineLatency.p50 / protocolLatency.p50,
  burst: burstResult,
  rssMiBAfterRuns: { runs: completed, rssMiB },
  store: counts,
});

engine.kill("SIGTERM");
await new Promise((resolve) => engine.once("exit", resolve));
app.close();
app.closeAllConnections();
await database.close();
const failed = burstResult.lost > 0 || burstResult.duplicated > 0 || (counts?.other ?? 0) > 0;
process.exit(failed ? 1 : 0);
