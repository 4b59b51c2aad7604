/**
 * Chaos 6: two engine processes (`npm run engine`, signed) on one database, behind a
 * health-checking proxy as behind a load balancer (the app's INNGEST_BASE_URL). The second
 * is a standby: it answers 503 and runs nothing. SIGKILL the leader with runs queued, mid-turn
 * and still arriving: the standby takes over on its own; every accepted run ends terminal
 * exactly once, none is duplicated (one row per start, at most one model call per run), and
 * every run whose turn had not started at the kill completes.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startLeaderProxy, type LeaderProxy } from "@/inngest/engine/test/leader-proxy";
import {
  ChaosWorld,
  countBy,
  eventually,
  freePort,
  scriptKeyOf,
  timelineProblems,
  TERMINAL,
} from "./harness";

const RUNS = 24;
const LIMIT = 4;
const TRICKLE_MS = 8_000;
const STALE_AFTER_SECONDS = 60;
const ENV = {
  SKILLRUN_RUN_CONCURRENCY: String(LIMIT),
  RUN_STALE_AFTER_SECONDS: String(STALE_AFTER_SECONDS),
  // A start whose event met the takeover is resent soon.
  RUN_DISPATCH_RETRY_AFTER_SECONDS: "10",
  RUN_DISPATCH_LOST_AFTER_SECONDS: "30",
};
let world: ChaosWorld;
let proxy: LeaderProxy;
const enginePorts: number[] = [];

const healthOf = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) })
    .then((response) => response.status)
    .catch(() => 0);

beforeAll(async () => {
  world = await ChaosWorld.create("engine-failover");
  enginePorts.push(await freePort(), await freePort());
  proxy = await startLeaderProxy(() => enginePorts.map((port) => `http://127.0.0.1:${port}`), {
    port: world.enginePort,
  });
  await world.startLauncher(ENV, { externalEngine: true });
});
afterAll(async () => {
  await proxy?.close();
  await world?.cleanup();
});

test("SIGKILL the leader engine under load: the standby takes over, every run ends once, none duplicated", async () => {
  const [leaderPort, standbyPort] = enginePorts as [number, number];
  const leader = await world.startEngine({ port: leaderPort });
  const standby = await world.startEngine({ port: standbyPort });
  expect(await healthOf(leaderPort)).toBe(200);
  expect(await healthOf(standbyPort)).toBe(503);

  const tenants = [await world.tenantWithKey("acme"), await world.tenantWithKey("globex")];
  const keys = await Promise.all(
    Array.from({ length: RUNS }, (_, index) =>
      world.script("c6", [{ text: `# Reply ${index}`, delayMs: 3_000 }]),
    ),
  );
  const started = await Promise.all(
    keys.map((key, index) => world.startRun(tenants[index % tenants.length]!.key, key)),
  );
  expect(started.filter((answer) => answer.status !== 201).map((answer) => answer.body)).toEqual(
    [],
  );
  const ids = started.map((answer) => answer.id!);
  await eventually(
    `${tenants.length * LIMIT} turns in flight`,
    async () =>
      (await Promise.all(keys.map((key) => world.calls(key)))).filter((calls) => calls.calls > 0)
        .length >=
      tenants.length * LIMIT,
    { timeoutMs: 60_000, intervalMs: 50 },
  );

  // Starts keep arriving through the kill and the takeover.
  const trickle: { key: string; status: number; id?: string; body: string }[] = [];
  const trickling = (async () => {
    const until = Date.now() + TRICKLE_MS;
    for (let n = 0; Date.now() < until; n += 1) {
      const key = await world.script("c6-trickle", [{ text: "# Reply", delayMs: 100 }]);
      const answer = await world.startRun(tenants[n % tenants.length]!.key, key, {
        signal: AbortSignal.timeout(30_000),
      });
      trickle.push({ key, ...answer });
      await sleep(250);
    }
  })();
  await sleep(300);
  await world.sigkill(leader.pid);
  const killedAt = Date.now();
  const queuedAtKill = new Set(
    (await world.runs(ids)).filter((run) => run.status === "queued").map((run) => run.id),
  );
  await eventually("the standby to lead", async () => (await healthOf(standbyPort)) === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  // Read once the old leader's requests have settled in the app: a turn they reached counts.
  const underWay = new Set(
    (
      await Promise.all(keys.map(async (key) => ((await world.calls(key)).calls > 0 ? key : null)))
    ).filter(Boolean),
  );
  console.log(
    `[chaos 6] standby leading ${Date.now() - killedAt} ms after the SIGKILL; ${underWay.size} turns had started`,
  );
  await trickling;

  // The standby ran nothing (no recovery either) before it took the lock.
  const standbyLog = (await readFile(path.join(world.logDir, "engine-2.log"), "utf8")).split("\n");
  const ledAt = standbyLog.findIndex((line) => line.includes('"msg":"leadership.acquired"'));
  expect(ledAt).toBeGreaterThan(0);
  expect(standbyLog.slice(0, ledAt).filter((line) => /"msg":"(run|step)\./.test(line))).toEqual([]);

  const accepted = [
    ...ids,
    ...trickle.filter((answer) => answer.status === 201).map((answer) => answer.id!),
  ];
  const allKeys = [...keys, ...trickle.map((answer) => answer.key)];
  const windowMs = (STALE_AFTER_SECONDS + 60) * 1000 + 60_000;
  const runs = await eventually(
    "every run (accepted, or left by a refused start) to be terminal",
    async () => {
      const rows = await world.runsByScriptKeys(allKeys);
      return rows.every((run) => (TERMINAL as readonly string[]).includes(run.status)) && rows;
    },
    { timeoutMs: windowMs, intervalMs: 1_000 },
  );
  console.log(
    `[chaos 6] trickle answers: ${JSON.stringify(countBy(trickle, (answer) => String(answer.status)))}; final states: ${JSON.stringify(countBy(runs, (run) => `${run.status}${run.failureCode ? `/${run.failureCode}` : ""}`))}`,
  );
  expect(standby.running).toBe(true);

  const found = new Set(runs.map((run) => run.id));
  expect(accepted.filter((id) => !found.has(id))).toEqual([]);
  expect(
    Object.entries(countBy(runs, (run) => scriptKeyOf(run.inputs)!)).filter(
      ([, count]) => count > 1,
    ),
  ).toEqual([]);
  const calls = await Promise.all(
    runs.map(async (run) => ({
      run: run.id,
      calls: (await world.calls(scriptKeyOf(run.inputs)!)).calls,
    })),
  );
  expect(calls.filter((entry) => entry.calls > 1)).toEqual([]);
  const notYetStarted = runs.filter(
    (run) => queuedAtKill.has(run.id) && !underWay.has(scriptKeyOf(run.inputs)!),
  );
  expect(notYetStarted.length).toBeGreaterThan(0);
  expect(
    notYetStarted
      .filter((run) => run.status !== "complete")
      .map((run) => `${run.id} ${run.status}/${run.failureCode}`),
  ).toEqual([]);
  expect(await timelineProblems(world, runs)).toEqual([]);
});
