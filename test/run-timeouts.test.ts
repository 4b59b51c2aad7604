/**
 * run-skill's flow control end to end, on the embedded engine: `timeouts` (a run that waited or
 * ran too long ends `failed` with `start_timeout` / `run_timeout`, through run-skill-timed-out)
 * and `priority` (a console run starts ahead of the tenant's scheduled backlog). The real
 * functions, served over HTTP; one tenant slot (`concurrencyPerTenant: 1`) makes the backlog.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { createRunSkillTimedOutFunction } from "@/inngest/functions/run-skill-timed-out";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import type { InvocationSource } from "@/lib/enums";
import { agentTemplates, skillRuns } from "@/server/db/schema";
import { startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { createTenantWithSkill, openTestDatabase, waitForTerminalRun } from "./fixtures";

const { db } = openTestDatabase();
const TIMEOUTS = { startSeconds: 2, finishSeconds: 4 };
const models = new Map<string, MockLanguageModelV3>();
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
    ...keys,
  });
  const client = new Inngest({
    id: "skillrun-timeouts-test",
    isDev: false,
    baseUrl: engine.url,
    ...keys,
  });
  const functions = [
    createRunSkillFunction({
      client,
      db: () => db,
      concurrencyPerTenant: 1,
      timeouts: TIMEOUTS,
      resolveModel: (name) => {
        const model = models.get(name);
        if (!model) throw new Error(`no model ${name} in this test`);
        return model;
      },
    }),
    createRunSkillTimedOutFunction({ client, db: () => db, timeouts: TIMEOUTS }),
  ];
  app = http.createServer(serve({ client, functions }));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  await engine.syncApp(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`);
  deps = { db, dispatcher: client };
});
afterAll(async () => {
  for (const release of releases) release();
  await engine.close();
  app.closeAllConnections();
  app.close();
});

const answer: LanguageModelV3GenerateResult = {
  content: [{ type: "text", text: "# Done" }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 5, text: 5, reasoning: 0 },
  },
  warnings: [],
};
/** Gates still closed when the file ends: opened then, so no turn is left hanging. */
const releases: (() => void)[] = [];

/** A tenant whose model answers once `release()` is called: every call, or only the first. */
async function tenantWithModel(options: { blocks: "every call" | "the first call" }) {
  let release = () => {};
  const opened = new Promise<void>((resolve) => (release = resolve));
  releases.push(release);
  const name = `mock:${randomUUID()}`;
  let calls = 0;
  models.set(
    name,
    new MockLanguageModelV3({
      doGenerate: async () => {
        calls += 1;
        if (options.blocks === "every call" || calls === 1) await opened;
        return answer;
      },
    }),
  );
  const { tenant, skill, template } = await createTenantWithSkill(db);
  await db
    .update(agentTemplates)
    .set({ defaultModel: name })
    .where(eq(agentTemplates.id, template.id));
  const start = async (source: InvocationSource) =>
    (await startRun(deps, { tenantId: tenant.id, skill: { id: skill.id }, inputs: {}, source })).run
      .id;
  return { start, release };
}

async function runRow(runId: string) {
  const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
  if (!run) throw new Error(`no run ${runId}`);
  return run;
}

async function waitForStatus(runId: string, status: "running") {
  const deadline = Date.now() + 10_000;
  while ((await runRow(runId)).status !== status) {
    if (Date.now() > deadline) throw new Error(`run ${runId} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("run-skill timeouts", () => {
  it("a run that ran too long fails as run_timeout; one that could not start meanwhile fails as start_timeout", async () => {
    const { start } = await tenantWithModel({ blocks: "every call" });
    const long = await start("manual");
    await waitForStatus(long, "running");
    // The tenant's one slot is held by the long run's turn: this one cannot start.
    const waiting = await start("manual");

    const neverStarted = await waitForTerminalRun(db, waiting, 15_000);
    expect(neverStarted).toMatchObject({
      status: "failed",
      failureCode: "start_timeout",
      startedAt: null,
    });
    expect(neverStarted.failureReason).toContain("2 s");
    const ranTooLong = await waitForTerminalRun(db, long, 15_000);
    expect(ranTooLong).toMatchObject({ status: "failed", failureCode: "run_timeout" });
    expect(ranTooLong.failureReason).toContain("4 s");
  });
});

describe("run-skill priority", () => {
  it("a console run starts ahead of the tenant's scheduled backlog", async () => {
    const { start, release } = await tenantWithModel({ blocks: "the first call" });
    // The tenant's one slot is held by a scheduled run's turn while the backlog queues up.
    const blocker = await start("schedule");
    await waitForStatus(blocker, "running");
    const scheduled = [await start("schedule"), await start("schedule")];
    const manual = await start("manual");
    release();

    const manualRun = await waitForTerminalRun(db, manual, 15_000);
    expect(manualRun.status).toBe("complete");
    const manualStartedAt = manualRun.startedAt?.getTime() ?? Number.NaN;
    for (const id of scheduled) {
      const run = await waitForTerminalRun(db, id, 15_000);
      // A scheduled run started after the console run (or, queued behind it, never in time).
      if (run.startedAt) expect(run.startedAt.getTime()).toBeGreaterThan(manualStartedAt);
    }
  });
});
