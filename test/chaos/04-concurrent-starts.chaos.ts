/**
 * Chaos 4: 1,000 concurrent starts over four tenants → exactly 1,000 runs, all terminal, and
 * no tenant ever has more runs executing at once than its concurrency limit.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ChaosWorld,
  countBy,
  eventually,
  maxOverlap,
  scriptKeyOf,
  timelineProblems,
  TERMINAL,
} from "./harness";

const RUNS = 1_000;
const LIMIT = 5;
let world: ChaosWorld;

beforeAll(async () => {
  world = await ChaosWorld.create("concurrent-starts");
  await world.startLauncher({
    SKILLRUN_RUN_CONCURRENCY: String(LIMIT),
    RUN_STALE_AFTER_SECONDS: "60",
  });
});
afterAll(async () => {
  await world?.cleanup();
});

test(`${RUNS} concurrent starts over mixed tenants: exactly ${RUNS} runs, all terminal, per-tenant concurrency never exceeded`, async () => {
  const tenants = [
    ...(await Promise.all(world.demoTenants().map((slug) => world.tenantWithKey(slug)))),
    await world.tenantWithKey("chaos-c"),
    await world.tenantWithKey("chaos-d"),
  ];
  const keys: string[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    keys.push(
      await world.script("c4", [
        {
          text: `# Reply ${index}\n\nYour order ships tomorrow.`,
          delayMs: 20 + Math.floor(Math.random() * 180),
        },
      ]),
    );
  }

  // All at once: every request is in flight before the first answer.
  const started = await Promise.all(
    keys.map((key, index) => world.startRun(tenants[index % tenants.length]!.key, key)),
  );
  const refused = started.filter((answer) => answer.status !== 201);
  expect(refused.map((answer) => `${answer.status} ${answer.body.slice(0, 200)}`)).toEqual([]);
  const ids = started.map((answer) => answer.id!);
  expect(new Set(ids).size).toBe(RUNS);
  // Exactly one run per start, none extra: every run carrying one of the keys.
  expect((await world.runsByScriptKeys(keys)).length).toBe(RUNS);

  const runs = await eventually(
    `all ${RUNS} runs to be terminal`,
    async () => {
      const rows = await world.runs(ids);
      return rows.every((run) => (TERMINAL as readonly string[]).includes(run.status)) && rows;
    },
    { timeoutMs: 480_000, intervalMs: 1_000 },
  );
  const statuses = countBy(
    runs,
    (run) => `${run.status}${run.failureCode ? `/${run.failureCode}` : ""}`,
  );
  console.log(`[chaos 4] final states: ${JSON.stringify(statuses)}`);

  // No fault was injected: every run completes, with its agent turn run exactly once.
  expect(statuses).toEqual({ complete: RUNS });
  const calls = await Promise.all(
    runs.map(async (run) => ({
      run: run.id,
      calls: (await world.calls(scriptKeyOf(run.inputs)!)).calls,
    })),
  );
  expect(calls.filter((entry) => entry.calls !== 1)).toEqual([]);
  expect(await timelineProblems(world, runs)).toEqual([]);

  // Runs executing at once per tenant: the `running` span (started → finished) …
  const running = maxOverlap(
    runs.map((run) => ({
      group: run.tenantId,
      start: run.startedAt!.getTime(),
      end: run.finishedAt!.getTime(),
    })),
  );
  // … and the agent turn proper (turn claimed → the model call's event).
  const timelines = await world.timelines(ids);
  const turns = maxOverlap(
    runs.map((run) => {
      const modelCall = timelines.get(run.id)?.find((event) => event.type === "model_call");
      return {
        group: run.tenantId,
        start: run.turnStartedAt!.getTime(),
        end: modelCall!.at.getTime(),
      };
    }),
  );
  console.log(
    `[chaos 4] max running per tenant: ${JSON.stringify([...running.values()])}; max turns per tenant: ${JSON.stringify([...turns.values()])}`,
  );
  for (const tenant of tenants) {
    expect(turns.get(tenant.tenantId), `turns of ${tenant.slug}`).toBeLessThanOrEqual(LIMIT);
    expect(running.get(tenant.tenantId), `running runs of ${tenant.slug}`).toBeLessThanOrEqual(
      LIMIT,
    );
  }
});
