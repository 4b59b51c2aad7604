/**
 * A run's end sends its deliveries at once, not at the sweep's next minute: the real run-skill
 * and deliver-run-result served to the embedded engine WITHOUT the sweep (queue-run-deliveries),
 * so a callback reaches the receiver only if the run's end sent its event. The receiver is a
 * real HTTP server on loopback.
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
import { waitFor } from "@/inngest/engine/test/harness";
import { createDeliverRunResultFunction } from "@/inngest/functions/deliver-run-result";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import { agentTemplates, runDeliveries } from "@/server/db/schema";
import { startRunWithCallback } from "@/server/services/deliveries/callback";
import { queueDueDeliveries } from "@/server/services/deliveries/queue";
import { cancelRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { createTenantWithSkill, openTestDatabase } from "./fixtures";
import { streamed } from "./streamed-model";

const { db } = openTestDatabase();
const audit = { actor: { type: "user" as const, id: null }, origin: null };
const answer: LanguageModelV3GenerateResult = {
  content: [{ type: "text", text: "# Done" }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 5, text: 5, reasoning: 0 },
  },
  warnings: [],
};

/** What the receiver got: each POST's path and parsed body. */
const received: { path: string; body: { type: string; data: { id: string } } }[] = [];
const models = new Map<string, MockLanguageModelV3>();
/** Opened at the end, so no turn is left hanging. */
const gates: (() => void)[] = [];
let engine: Engine;
let app: http.Server;
let receiver: http.Server;
let receiverBase = "";
let deps: RunServiceDeps;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        path: request.url ?? "",
        body: JSON.parse(
          Buffer.concat(chunks).toString("utf8"),
        ) as (typeof received)[number]["body"],
      });
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
    ...keys,
  });
  const client = new Inngest({
    id: "skillrun-prompt-delivery-test",
    isDev: false,
    baseUrl: engine.url,
    ...keys,
  });
  const functions = [
    createRunSkillFunction({
      client,
      db: () => db,
      resolveModel: (name) => {
        const model = models.get(name);
        if (!model) throw new Error(`no model ${name} in this test`);
        return streamed(model);
      },
    }),
    createDeliverRunResultFunction({ client, db: () => db }),
  ];
  app = http.createServer(serve({ client, functions }));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  await engine.syncApp(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`);
  deps = { db, dispatcher: client };
});
afterAll(async () => {
  for (const open of gates) open();
  await engine.close();
  app.closeAllConnections();
  app.close();
  receiver.closeAllConnections();
  receiver.close();
});

/** A tenant whose agent's model answers `# Done`, once `opened` (at once by default). */
async function tenantWithModel(opened: Promise<void> = Promise.resolve()) {
  const name = `mock:${randomUUID()}`;
  models.set(
    name,
    new MockLanguageModelV3({
      doGenerate: async () => {
        await opened;
        return answer;
      },
    }),
  );
  const { tenant, skill, template } = await createTenantWithSkill(db);
  await db
    .update(agentTemplates)
    .set({ defaultModel: name })
    .where(eq(agentTemplates.id, template.id));
  const start = async (path: string) =>
    startRunWithCallback(
      deps,
      { tenantId: tenant.id, skill: { id: skill.id }, inputs: {}, source: "api" },
      audit,
      `${receiverBase}${path}`,
    );
  return { tenant, start };
}

const postTo = (path: string) =>
  waitFor(() => received.find((hit) => hit.path === path), {
    timeoutMs: 30_000,
    message: `nothing was POSTed to ${path}`,
  });

async function deliveryOf(runId: string) {
  const [row] = await db.select().from(runDeliveries).where(eq(runDeliveries.runId, runId));
  return row;
}

describe("a run's end sends its deliveries", () => {
  it("a completed run's callback is sent by the run's end, with no sweep running", async () => {
    const { start } = await tenantWithModel();
    const path = `/complete-${randomUUID()}`;
    const started = await start(path);

    const hit = await postTo(path);
    expect(hit.body).toMatchObject({ type: "run.complete", data: { id: started.run.id } });
    await waitFor(async () => (await deliveryOf(started.run.id))?.status === "sent", {
      message: "the delivery is recorded as sent",
    });
    // Queued once: the sweep, coming later, finds nothing of this run's to queue.
    const swept = await queueDueDeliveries(db, 1_000);
    expect(swept.map((row) => row.deliveryId)).not.toContain(
      (await deliveryOf(started.run.id))?.id,
    );
    expect(received.filter((each) => each.path === path)).toHaveLength(1);
  });

  it("a cancelled run's callback is sent by the cancel", async () => {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    gates.push(open);
    const { tenant, start } = await tenantWithModel(opened);
    const path = `/cancelled-${randomUUID()}`;
    const started = await start(path);
    await cancelRun(deps, { tenantId: tenant.id, runId: started.run.id });

    const hit = await postTo(path);
    expect(hit.body).toMatchObject({ type: "run.cancelled", data: { id: started.run.id } });
  });
});
