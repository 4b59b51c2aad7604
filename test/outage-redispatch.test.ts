/**
 * A run that meets a database outage before its turn is claimed is dispatched again and runs
 * once; one that meets it after the claim still fails (docs/RELIABILITY.md). The real
 * run-skill function, served over HTTP to the embedded engine; the outage is a database that
 * refuses connections, handed to the steps chosen by the order of their `db()` calls.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, DrizzleQueryError, eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { MockLanguageModelV3 } from "ai/test";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { startEngine, type Engine } from "@/inngest/engine";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import { createDatabase } from "@/server/db/client";
import { agentTemplates, runEvents } from "@/server/db/schema";
import { startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { createTenantWithSkill, openTestDatabase, waitForTerminalRun } from "./fixtures";
import { streamed } from "./streamed-model";

const { db } = openTestDatabase();
/** Nothing listens on port 9: every query fails as it does while PostgreSQL is down. */
const down = createDatabase("postgres://skillrun:none@127.0.0.1:9/skillrun", { max: 1 });
afterAll(() => down.close());

/** The function's `db()` calls, counted from 1 per test; those listed get the database that is down. */
const outage = { calls: 0, failing: new Set<number>() };
let model: MockLanguageModelV3;
let engine: Engine;
let app: http.Server;
let deps: RunServiceDeps;
const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };

beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
    retryIntervalSeconds: 0,
    ...keys,
  });
  const client = new Inngest({
    id: "skillrun-outage-test",
    isDev: false,
    baseUrl: engine.url,
    ...keys,
  });
  const runSkill = createRunSkillFunction({
    client,
    db: () => {
      outage.calls += 1;
      return outage.failing.has(outage.calls) ? down.db : db;
    },
    resolveModel: (name) => {
      // The outage after the claim: what a step meets while PostgreSQL restarts mid-turn.
      if (name === "db-down-after-claim")
        throw new DrizzleQueryError(
          'select "status" from "skill_runs"',
          [],
          Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), {
            code: "CONNECTION_CLOSED",
          }),
        );
      return streamed(model);
    },
  });
  app = http.createServer(serve({ client, functions: [runSkill] }));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  await engine.syncApp(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`);
  deps = { db, dispatcher: client };
});
afterAll(async () => {
  await engine.close();
  app.closeAllConnections();
  app.close();
});
// A test's run is terminal before its function ends (the deliveries step follows): its last
// `db()` calls must not count as the next test's first.
afterEach(async () => {
  await vi.waitFor(
    async () => {
      const [open] = await db.execute<{ count: number }>(
        sql`select count(*)::int as count from inngest_engine.runs where ended_at is null`,
      );
      expect(open?.count).toBe(0);
    },
    { timeout: 20_000, interval: 50 },
  );
});
beforeEach(() => {
  outage.calls = 0;
  outage.failing.clear();
  model = new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: "text", text: "# Brief" }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 5, text: 5, reasoning: 0 },
      },
      warnings: [],
    }),
  });
});

async function start(modelName?: string) {
  const { tenant, skill, template } = await createTenantWithSkill(db);
  if (modelName)
    await db
      .update(agentTemplates)
      .set({ defaultModel: modelName })
      .where(eq(agentTemplates.id, template.id));
  const { run } = await startRun(deps, {
    tenantId: tenant.id,
    skill: { id: skill.id },
    inputs: {},
    source: "manual",
  });
  return run.id;
}

const terminal = (runId: string) => waitForTerminalRun(db, runId, 20_000);

const timelineOf = async (runId: string) =>
  (
    await db
      .select({ type: runEvents.type })
      .from(runEvents)
      .where(eq(runEvents.runId, runId))
      .orderBy(asc(runEvents.id))
  ).map((event) => event.type);

describe("a run that meets a database outage", () => {
  it("before its turn is claimed (the claim's query fails) is dispatched again and completes, calling the model once", async () => {
    // mark-running, resolve-config, then the agent-turn step: its first query is the claim.
    outage.failing.add(3);
    const runId = await start();
    const run = await terminal(runId);
    expect(run).toMatchObject({ status: "complete", failureCode: null });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(await timelineOf(runId)).toEqual([
      "queued",
      "running",
      "config_resolved",
      "redispatched",
      "running",
      "config_resolved",
      "model_call",
      "complete",
    ]);
  });

  it("in its first step (mark-running) is dispatched again and completes once", async () => {
    outage.failing.add(1);
    const runId = await start();
    expect(await terminal(runId)).toMatchObject({ status: "complete" });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect((await timelineOf(runId)).filter((type) => type === "redispatched")).toHaveLength(1);
  });

  it("when the failure handler meets it too, is dispatched again by the handler's retry", async () => {
    // The claim fails, and so does the handler's first attempt.
    outage.failing.add(3).add(4);
    const runId = await start();
    expect(await terminal(runId)).toMatchObject({ status: "complete" });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("after its turn was claimed still fails as agent_crashed: the model may have been reached, so it never runs twice", async () => {
    const runId = await start("db-down-after-claim");
    const run = await terminal(runId);
    expect(run).toMatchObject({ status: "failed", failureCode: "agent_crashed" });
    expect(run.turnStartedAt).not.toBeNull();
    expect(await timelineOf(runId)).not.toContain("redispatched");
    expect(model.doGenerateCalls).toHaveLength(0);
  });
});
