/**
 * Chaos 1: SIGKILL the app (the `next start` process) while 50 runs are mid-turn and one more
 * waits for approval of a gated tool call; start the launcher again on the same data.
 * - Within the reconciler's window every mid-turn run is terminal, none is running, and no agent
 *   turn ran twice (model calls per run, at the scripted server).
 * - The wait survived (issue 22): approved over REST, the run resumes exactly once (the tool
 *   runs once, the model is asked once more, never again for the step before the pause) and
 *   completes.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { agentTemplates } from "@/server/db/schema";
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

test(`SIGKILL the app with ${RUNS} runs mid-turn and one waiting for approval: after a restart all are terminal, no turn ran twice, the approval resumes its run once`, async () => {
  const launcher = await world.startLauncher(ENV);
  const tenant = await world.tenantWithKey("acme");
  const gated = await startGatedRun();
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
  await eventually(
    "the gated run to wait for approval",
    async () => (await world.runs([gated.runId]))[0]?.status === "awaiting_approval",
    { timeoutMs: 60_000 },
  );

  await world.sigkill(await world.appProcess(launcher));
  // The launcher follows its app down (engine, then PostgreSQL); the data stays.
  await launcher.waitExit(60_000);
  const restartedAt = Date.now();
  await world.startLauncher(ENV);
  await approveAndExpectOneResume(gated);

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

/** A run of its own tenant whose model asks for a tool that tenant's template gates. */
async function startGatedRun() {
  const tenant = await world.tenantWithKey("approvals");
  await world.db
    .update(agentTemplates)
    .set({ approvalTools: ["current_time"] })
    .where(eq(agentTemplates.tenantId, tenant.tenantId));
  const key = await world.script("c1-gated", [
    { toolCalls: [{ name: "current_time", arguments: {} }] },
    { text: "# Reply\n\nChecked the time, once." },
  ]);
  const started = await world.startRun(tenant.key, key);
  expect(started.status, started.body).toBe(201);
  return { apiKey: tenant.key, scriptKey: key, runId: started.id! };
}

async function approveAndExpectOneResume(gated: Awaited<ReturnType<typeof startGatedRun>>) {
  const { apiKey, scriptKey, runId } = gated;
  expect((await world.runs([runId]))[0]?.status).toBe("awaiting_approval");
  expect((await world.calls(scriptKey)).calls).toBe(1);
  const approved = await fetch(`${world.appUrl}/api/v1/runs/${runId}/approve`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(approved.status, await approved.text()).toBe(200);

  const [run] = await eventually(
    "the approved run to end",
    async () => {
      const rows = await world.runs([runId]);
      return rows.every((row) => (TERMINAL as readonly string[]).includes(row.status)) && rows;
    },
    { timeoutMs: 60_000 },
  );
  expect(run?.status).toBe("complete");
  expect((await world.calls(scriptKey)).calls).toBe(2);
  const events = (await world.timelines([runId])).get(runId) ?? [];
  const count = (type: string) => events.filter((event) => event.type === type).length;
  expect({ toolCalls: count("tool_call"), resumed: count("resumed") }).toEqual({
    toolCalls: 1,
    resumed: 1,
  });
  expect(await timelineProblems(world, [run!])).toEqual([]);
}
