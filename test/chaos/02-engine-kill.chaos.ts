/**
 * Chaos 2: the engine as its own process (`npm run engine`, signed, the launcher pointed at it
 * with INNGEST_BASE_URL and the keys). SIGKILL it while runs wait in its queue and others are mid-step; start it
 * again; no run is lost (all complete, those mid-turn too: checkpointing keeps their turns) and
 * none is duplicated (one row per start, at most one model call per run).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ChaosWorld,
  countBy,
  eventually,
  scriptKeyOf,
  timelineProblems,
  TERMINAL,
} from "./harness";

const RUNS = 30;
const LIMIT = 5;
const STALE_AFTER_SECONDS = 60;
let world: ChaosWorld;

beforeAll(async () => {
  world = await ChaosWorld.create("engine-kill");
  await world.startLauncher(
    {
      SKILLRUN_RUN_CONCURRENCY: String(LIMIT),
      RUN_STALE_AFTER_SECONDS: String(STALE_AFTER_SECONDS),
    },
    { externalEngine: true },
  );
});
afterAll(async () => {
  await world?.cleanup();
});

test(`SIGKILL the engine with runs queued and mid-step: after a restart none is lost, none duplicated`, async () => {
  const engine = await world.startEngine();
  const tenants = [await world.tenantWithKey("acme"), await world.tenantWithKey("globex")];
  const keys = await Promise.all(
    Array.from({ length: RUNS }, (_, index) =>
      world.script("c2", [{ text: `# Reply ${index}`, delayMs: 3_000 }]),
    ),
  );
  const started = await Promise.all(
    keys.map((key, index) => world.startRun(tenants[index % tenants.length]!.key, key)),
  );
  expect(started.filter((answer) => answer.status !== 201).map((answer) => answer.body)).toEqual(
    [],
  );
  const ids = started.map((answer) => answer.id!);

  // Both tenants' slots busy with turns: the rest of their runs wait in the engine's queue.
  await eventually(
    `${tenants.length * LIMIT} turns in flight`,
    async () =>
      (await Promise.all(keys.map((key) => world.calls(key)))).filter((calls) => calls.calls > 0)
        .length >=
      tenants.length * LIMIT,
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  await world.sigkill(engine.pid);
  const before = await world.runs(ids);
  const underWay = new Set(
    (
      await Promise.all(keys.map(async (key) => ((await world.calls(key)).calls > 0 ? key : null)))
    ).filter(Boolean),
  );
  console.log(
    `[chaos 2] at the kill: ${JSON.stringify(countBy(before, (run) => run.status))}, ${underWay.size} turns started`,
  );
  expect(before.some((run) => run.status === "queued")).toBe(true);
  expect(before.some((run) => run.status === "running")).toBe(true);

  const restartedAt = Date.now();
  await world.startEngine();
  const windowMs = (STALE_AFTER_SECONDS + 60) * 1000 + 60_000;
  const runs = await eventually(
    "every run to be terminal",
    async () => {
      const rows = await world.runs(ids);
      return rows.every((run) => (TERMINAL as readonly string[]).includes(run.status)) && rows;
    },
    { timeoutMs: windowMs - (Date.now() - restartedAt), intervalMs: 1_000 },
  );
  console.log(
    `[chaos 2] final states: ${JSON.stringify(countBy(runs, (run) => `${run.status}${run.failureCode ? `/${run.failureCode}` : ""}`))}`,
  );

  // None duplicated: one run per start, and no turn reached the model twice.
  expect((await world.runsByScriptKeys(keys)).length).toBe(RUNS);
  const calls = await Promise.all(
    runs.map(async (run) => ({
      run: run.id,
      key: scriptKeyOf(run.inputs)!,
      calls: (await world.calls(scriptKeyOf(run.inputs)!)).calls,
    })),
  );
  expect(calls.filter((entry) => entry.calls > 1)).toEqual([]);
  // None lost: every run whose turn had not started when the engine died ran to completion.
  const notYetStarted = runs.filter((run) => !underWay.has(scriptKeyOf(run.inputs)!));
  expect(
    notYetStarted
      .filter((run) => run.status !== "complete")
      .map((run) => `${run.id} ${run.status}/${run.failureCode}`),
  ).toEqual([]);
  // None failed for the kill: the app finished the turns under way, and their results reached
  // the restarted engine as checkpoints (the SDK retries one for ~1.5 s; the interrupted
  // requests' items wait out a 10 s grace before being dispatched again). With one step per
  // request all of them failed: the interrupted request was a lost attempt, and run-skill has
  // none to spare.
  expect(
    runs
      .filter((run) => underWay.has(scriptKeyOf(run.inputs)!) && run.status !== "complete")
      .map((run) => `${run.id} ${run.status}/${run.failureCode}`),
  ).toEqual([]);
  expect(await timelineProblems(world, runs)).toEqual([]);
});
