import { and, eq, inArray } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { runEvents, skillRuns } from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { completeRun, failRun, markRunning, ZERO_USAGE } from "./run-lifecycle";
import { cancelRun, type RunDispatcher } from "./runs";

const { db } = openTestDatabase();

// Cancel events go to the real embedded engine (no function is registered).
let engine: Engine;
let dispatcher: RunDispatcher;
beforeAll(async () => {
  engine = await startEngine({ port: 0, databaseUrl: process.env.DATABASE_URL ?? "", log: () => {}, pollIntervalSeconds: 0 });
  dispatcher = new Inngest({ id: "lifecycle-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

async function queuedRuns(count: number) {
  const { tenant, skill, agent } = await createTenantWithSkill(db);
  const runs = await db
    .insert(skillRuns)
    .values(Array.from({ length: count }, () => ({ tenantId: tenant.id, skillId: skill.id, skillVersion: "v1", agentId: agent.id, source: "manual" as const, inputs: {} })))
    .returning({ id: skillRuns.id });
  return { tenantId: tenant.id, runIds: runs.map((run) => run.id) };
}

const TERMINAL_EVENTS = ["complete", "failed", "cancelled"];

describe("run transitions", () => {
  it("cancel racing completion, 200 trials: each run ends in exactly one terminal state and its timeline agrees", async () => {
    const { tenantId, runIds } = await queuedRuns(200);
    for (const runId of runIds) expect(await markRunning(db, { runId, tenantId })).toBe(true);
    const outcomes = await Promise.all(
      runIds.map(async (runId) => {
        const [completed, cancelled] = await Promise.allSettled([
          completeRun(db, { runId, tenantId }, { markdown: "# Done", usage: ZERO_USAGE }),
          cancelRun({ db, dispatcher }, { tenantId, runId }),
        ]);
        return { completed: completed.status === "fulfilled" && completed.value, cancelled: cancelled.status === "fulfilled" };
      }),
    );
    expect(outcomes.every((outcome) => outcome.completed !== outcome.cancelled)).toBe(true);

    const rows = await db.select({ id: skillRuns.id, status: skillRuns.status, deliverable: skillRuns.deliverable }).from(skillRuns).where(inArray(skillRuns.id, runIds));
    const events = await db.select({ runId: runEvents.runId, type: runEvents.type }).from(runEvents).where(inArray(runEvents.runId, runIds));
    for (const row of rows) {
      const terminalEvents = events.filter((event) => event.runId === row.id && TERMINAL_EVENTS.includes(event.type));
      expect(terminalEvents.map((event) => event.type)).toEqual([row.status]);
      expect(row.deliverable === null).toBe(row.status === "cancelled");
    }
  });

  it("never leaves a terminal state", async () => {
    const { tenantId, runIds } = await queuedRuns(1);
    const ref = { runId: runIds[0]!, tenantId };
    expect(await markRunning(db, ref)).toBe(true);
    expect(await markRunning(db, ref)).toBe(false);
    expect(await completeRun(db, ref, { markdown: "done", usage: ZERO_USAGE })).toBe(true);
    expect(await failRun(db, ref, { code: "agent_crashed", reason: "late crash" })).toBe(false);
    expect(await completeRun(db, ref, { markdown: "again", usage: ZERO_USAGE })).toBe(false);
    await expect(cancelRun({ db, dispatcher }, { tenantId, runId: ref.runId })).rejects.toThrow(/already complete/);
    const [row] = await db.select().from(skillRuns).where(and(eq(skillRuns.id, ref.runId)));
    expect(row).toMatchObject({ status: "complete", deliverable: { payload: "done" }, failureCode: null });
  });
});
