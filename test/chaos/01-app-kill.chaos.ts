/**
 * Chaos 1: SIGKILL the app (the `next start` process) while 50 runs are mid-turn; start the
 * launcher again on the same data; within the reconciler's window every run is terminal,
 * none is running, and no agent turn ran twice (model calls per run, at the scripted server).
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

const RUNS = 50;
const STALE_AFTER_SECONDS = 60;
/** Every run can be mid-turn at once (the limit is per tenant). */
const ENV = {
  SKILLRUN_RUN_CONCURRENCY: String(RUNS),
  RUN_STALE_AFTER_SECONDS: String(STALE_AFTER_SECONDS),
};
let world: ChaosWorld;

beforeAll(async () => {
  world = await ChaosWorld.create("app-kill");
});
afterAll(async () => {
  await world?.cleanup();
});

test(`SIGKILL the app with ${RUNS} runs mid-turn: after a restart all are terminal, no turn ran twice`, async () => {
  const launcher = await world.startLauncher(ENV);
  const tenant = await world.tenantWithKey("acme");
  // A turn long enough to be surely in flight when the app dies.
  const keys = await Promise.all(
    Array.from({ length: RUNS }, (_, index) =>
      world.script("c1", [{ text: `# Reply ${index}`, delayMs: 30_000 }]),
    ),
  );
  const started = await Promise.all(keys.map((key) => world.startRun(tenant.key, key)));
  expect(started.filter((answer) => answer.status !== 201).map((answer) => answer.body)).toEqual(
    [],
  );
  const ids = started.map((answer) => answer.id!);

  await eventually(
    `all ${RUNS} runs to be mid-turn (one model call each)`,
    async () =>
      (await Promise.all(keys.map((key) => world.calls(key)))).every((calls) => calls.calls === 1),
    { timeoutMs: 120_000 },
  );
  expect((await world.runs(ids)).every((run) => run.status === "running")).toBe(true);

  await world.sigkill(await world.appProcess(launcher));
  // The launcher follows its app down (engine, then PostgreSQL); the data stays.
  await launcher.waitExit(60_000);
  const restartedAt = Date.now();
  await world.startLauncher(ENV);

  // The reconciler's window: a stale run is failed within the stale cutoff plus one cron minute.
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
    `[chaos 1] final states: ${JSON.stringify(countBy(runs, (run) => `${run.status}${run.failureCode ? `/${run.failureCode}` : ""}`))}`,
  );
  expect(runs.filter((run) => run.status === "running" || run.status === "queued")).toEqual([]);

  // Each turn reached the model once (the call the kill cut off), never a second time.
  const calls = await Promise.all(
    runs.map(async (run) => ({ run: run.id, ...(await world.calls(scriptKeyOf(run.inputs)!)) })),
  );
  expect(
    calls
      .filter((entry) => entry.calls !== 1)
      .map(({ run, calls: count, aborted }) => ({ run, calls: count, aborted })),
  ).toEqual([]);
  // A run whose turn was cut off cannot have completed with that turn's answer.
  expect(runs.filter((run) => run.status === "complete")).toEqual([]);
  expect(await timelineProblems(world, runs)).toEqual([]);
  // The keys and passwords the launcher generated stayed in the data directory through two starts and a crash.
  expect(await world.secretsInLogs()).toEqual([]);
});
