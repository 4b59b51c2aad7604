import { and, eq, inArray } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { ZERO_USAGE, type TokenUsage } from "@/server/agent/usage";
import { runEvents, skillRuns } from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { cancelRun } from "./runs";
import { completeRun, failRun, markRunning, recordUsage } from "./run-lifecycle";
import { type RunDispatcher } from "./runs";

const { db } = openTestDatabase();

// Cancel events go to the real embedded engine (no function is registered).
let engine: Engine;
let dispatcher: RunDispatcher;
beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "lifecycle-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

async function queuedRuns(count: number) {
  const { tenant, skill, agent } = await createTenantWithSkill(db);
  const runs = await db
    .insert(skillRuns)
    .values(
      Array.from({ length: count }, () => ({
        tenantId: tenant.id,
        skillId: skill.id,
        skillVersion: "v1",
        agentId: agent.id,
        source: "manual" as const,
        inputs: {},
      })),
    )
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
        return {
          completed: completed.status === "fulfilled" && completed.value,
          cancelled: cancelled.status === "fulfilled",
        };
      }),
    );
    expect(outcomes.every((outcome) => outcome.completed !== outcome.cancelled)).toBe(true);

    const rows = await db
      .select({ id: skillRuns.id, status: skillRuns.status, deliverable: skillRuns.deliverable })
      .from(skillRuns)
      .where(inArray(skillRuns.id, runIds));
    const events = await db
      .select({ runId: runEvents.runId, type: runEvents.type })
      .from(runEvents)
      .where(inArray(runEvents.runId, runIds));
    for (const row of rows) {
      const terminalEvents = events.filter(
        (event) => event.runId === row.id && TERMINAL_EVENTS.includes(event.type),
      );
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
    await expect(cancelRun({ db, dispatcher }, { tenantId, runId: ref.runId })).rejects.toThrow(
      /already complete/,
    );
    const [row] = await db
      .select()
      .from(skillRuns)
      .where(and(eq(skillRuns.id, ref.runId)));
    expect(row).toMatchObject({
      status: "complete",
      deliverable: { payload: "done" },
      failureCode: null,
    });
  });
});

describe("usage writes", () => {
  // A usage object as it could arrive from the engine, typed as usage but carrying other columns.
  const smuggling = (tenantId: string): TokenUsage =>
    Object.assign(
      { ...ZERO_USAGE, inputTokens: 7 },
      { tenantId, status: "queued", deliverable: null, turnStartedAt: null },
    );

  it("complete and fail write the usage columns by name, never whatever else the usage object carries", async () => {
    const { tenantId, runIds } = await queuedRuns(2);
    const stranger = await queuedRuns(1);
    const [completed, failed] = runIds.map((runId) => ({ runId, tenantId }));
    for (const ref of [completed!, failed!]) expect(await markRunning(db, ref)).toBe(true);
    expect(
      await completeRun(db, completed!, {
        markdown: "# Done",
        usage: smuggling(stranger.tenantId),
      }),
    ).toBe(true);
    expect(
      await failRun(db, failed!, {
        code: "timeout",
        reason: "too slow",
        usage: smuggling(stranger.tenantId),
      }),
    ).toBe(true);
    const rows = await db.select().from(skillRuns).where(inArray(skillRuns.id, runIds));
    for (const row of rows)
      expect(row).toMatchObject({
        tenantId,
        status: row.id === completed!.runId ? "complete" : "failed",
        inputTokens: 7,
      });
    expect(
      rows.every(
        (row) =>
          row.turnStartedAt === null && (row.status === "failed" || row.deliverable !== null),
      ),
    ).toBe(true);
  });

  it("recordUsage writes only the usage of this tenant's cancelled or running run, once, and nothing else", async () => {
    const { tenantId, runIds } = await queuedRuns(4);
    const [queued, running, complete, cancelled] = runIds.map((runId) => ({ runId, tenantId }));
    for (const ref of [running!, complete!]) expect(await markRunning(db, ref)).toBe(true);
    expect(
      await completeRun(db, complete!, {
        markdown: "# Done",
        usage: { ...ZERO_USAGE, inputTokens: 100 },
      }),
    ).toBe(true);
    await cancelRun({ db, dispatcher }, cancelled!);
    const stranger = await queuedRuns(1);

    expect(await recordUsage(db, queued!, ZERO_USAGE)).toBe(false);
    expect(await recordUsage(db, complete!, ZERO_USAGE)).toBe(false);
    expect(
      await recordUsage(db, { runId: cancelled!.runId, tenantId: stranger.tenantId }, ZERO_USAGE),
    ).toBe(false);
    expect(await recordUsage(db, cancelled!, smuggling(stranger.tenantId))).toBe(true);
    // Recorded once: a late or repeated write does not reset it.
    expect(await recordUsage(db, cancelled!, ZERO_USAGE)).toBe(false);
    expect(await recordUsage(db, running!, { ...ZERO_USAGE, inputTokens: 3 })).toBe(true);

    const rows = await db.select().from(skillRuns).where(inArray(skillRuns.id, runIds));
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(queued!.runId)).toMatchObject({
      tenantId,
      status: "queued",
      inputTokens: null,
    });
    expect(byId.get(complete!.runId)).toMatchObject({
      tenantId,
      status: "complete",
      inputTokens: 100,
    });
    expect(byId.get(cancelled!.runId)).toMatchObject({
      tenantId,
      status: "cancelled",
      inputTokens: 7,
      outputTokens: 0,
    });
    expect(byId.get(running!.runId)).toMatchObject({
      tenantId,
      status: "running",
      inputTokens: 3,
      turnStartedAt: null,
    });
  });
});
