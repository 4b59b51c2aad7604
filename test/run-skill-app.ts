/**
 * run-skill served for real to the embedded engine, for the flow-control tests
 * (run-timeouts.test.ts, run-priority.test.ts): each file gets its own engine and database.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { createRunSkillTimedOutFunction } from "@/inngest/functions/run-skill-timed-out";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import type { InvocationSource } from "@/lib/enums";
import { agentTemplates, skillRuns } from "@/server/db/schema";
import { startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import type { Database } from "@/server/db/client";
import type { RunTimeoutLimits } from "@/server/services/runs/run-timeouts";
import { createTenantWithSkill } from "./fixtures";
import { streamed } from "./streamed-model";

const answer: LanguageModelV3GenerateResult = {
  content: [{ type: "text", text: "# Done" }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 5, text: 5, reasoning: 0 },
  },
  warnings: [],
};

/**
 * The test file's embedded engine serving the real run-skill and run-skill-timed-out with
 * `timeouts`, and one tenant slot (`concurrencyPerTenant: 1`) to make a backlog; started before
 * the file's tests and closed after them.
 */
export function serveRunSkillApp(db: Database, timeouts: RunTimeoutLimits) {
  const models = new Map<string, MockLanguageModelV3>();
  let engine: Engine;
  let app: http.Server;
  let deps: RunServiceDeps;
  const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };
  /** Gates still closed when the file ends: opened then, so no turn is left hanging. */
  const releases: (() => void)[] = [];

  beforeAll(async () => {
    engine = await startEngine({
      port: 0,
      databaseUrl: process.env.DATABASE_URL ?? "",
      log: () => {},
      pollIntervalSeconds: 0,
      ...keys,
    });
    const client = new Inngest({
      id: "skillrun-flow-control-test",
      isDev: false,
      baseUrl: engine.url,
      ...keys,
    });
    const functions = [
      createRunSkillFunction({
        client,
        db: () => db,
        concurrencyPerTenant: 1,
        timeouts,
        resolveModel: (name) => {
          const model = models.get(name);
          if (!model) throw new Error(`no model ${name} in this test`);
          return streamed(model);
        },
      }),
      createRunSkillTimedOutFunction({ client, db: () => db, timeouts }),
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
      (await startRun(deps, { tenantId: tenant.id, skill: { id: skill.id }, inputs: {}, source }))
        .run.id;
    return { start, release };
  }

  async function runRow(runId: string) {
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }

  async function waitForStatus(runId: string, status: "running") {
    const deadline = Date.now() + 30_000;
    while ((await runRow(runId)).status !== status) {
      if (Date.now() > deadline) throw new Error(`run ${runId} never became ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return { tenantWithModel, waitForStatus };
}
