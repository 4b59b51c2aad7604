/**
 * Chaos 8 (issue 22's Done-when): SIGKILL the app (the `next start` process) while a run waits
 * for approval of a gated tool call; start the launcher again on the same data; approve through
 * the REST API. The wait survived: the run resumes exactly once (the tool runs once, the model
 * is asked once more, never again for the step before the pause) and completes.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { agentTemplates } from "@/server/db/schema";
import { ChaosWorld, eventually, timelineProblems, TERMINAL } from "./harness";

let world: ChaosWorld;

beforeAll(async () => {
  world = await ChaosWorld.create("approval-app-kill");
});
afterAll(async () => {
  await world?.cleanup();
});

test("SIGKILL the app while a run waits for approval: after a restart, approving resumes it exactly once", async () => {
  const launcher = await world.startLauncher();
  const tenant = await world.tenantWithKey("approvals");
  await world.db
    .update(agentTemplates)
    .set({ approvalTools: ["current_time"] })
    .where(eq(agentTemplates.tenantId, tenant.tenantId));
  const key = await world.script("c8", [
    { toolCalls: [{ name: "current_time", arguments: {} }] },
    { text: "# Reply\n\nChecked the time, once." },
  ]);
  const started = await world.startRun(tenant.key, key);
  expect(started.status, started.body).toBe(201);
  const runId = started.id!;
  await eventually(
    "the run to wait for approval",
    async () => (await world.runs([runId]))[0]?.status === "awaiting_approval",
    { timeoutMs: 60_000 },
  );

  await world.sigkill(await world.appProcess(launcher));
  // The launcher follows its app down (engine, then PostgreSQL); the data stays.
  await launcher.waitExit(60_000);
  await world.startLauncher();

  expect((await world.runs([runId]))[0]?.status).toBe("awaiting_approval");
  expect((await world.calls(key)).calls).toBe(1);
  const approved = await fetch(`${world.appUrl}/api/v1/runs/${runId}/approve`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.key}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(approved.status, await approved.text()).toBe(200);

  const [run] = await eventually(
    "the run to end",
    async () => {
      const rows = await world.runs([runId]);
      return rows.every((row) => (TERMINAL as readonly string[]).includes(row.status)) && rows;
    },
    { timeoutMs: 60_000 },
  );
  expect(run?.status).toBe("complete");
  expect((await world.calls(key)).calls).toBe(2);
  const events = (await world.timelines([runId])).get(runId) ?? [];
  const count = (type: string) => events.filter((event) => event.type === type).length;
  expect({ toolCalls: count("tool_call"), resumed: count("resumed") }).toEqual({
    toolCalls: 1,
    resumed: 1,
  });
  expect(await timelineProblems(world, [run!])).toEqual([]);
});
