/**
 * The real run-skill function, served by the SDK, given forged memoized step results: what an
 * engine (or anyone who can answer for it) hands back is untrusted input. The requests have the
 * shape the embedded engine sends (inngest/engine/engine.ts `execute`); step ids are
 * sha1(<step name>), as the SDK hashes them. The serve handler here skips signature checks on
 * purpose (dev mode): this file is about what the function does with the data, not how it got in.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { runEvents, skillRuns } from "@/server/db/schema";
import { claimTurn, markRunning } from "@/server/services/runs/run-lifecycle";
import { RUN_REQUESTED } from "@/inngest/events";
import { ZERO_USAGE } from "@/server/agent/usage";
import { UNREADABLE_TURN_REASON } from "@/server/services/runs/step-results";
import { createQueuedRun, openTestDatabase } from "./fixtures";

const { db } = openTestDatabase();
const client = new Inngest({
  id: "skillrun-forged-steps",
  isDev: true,
  baseUrl: "http://127.0.0.1:9",
});
const runSkill = createRunSkillFunction({
  client,
  db: () => db,
  resolveModel: () => {
    throw new Error("no model is called in this file");
  },
});
let app: http.Server;
let appUrl: string;

beforeAll(async () => {
  app = http.createServer(serve({ client, functions: [runSkill] }));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;
});
afterAll(() => {
  app.closeAllConnections();
  app.close();
});

const stepId = (name: string) => createHash("sha1").update(name).digest("hex");

/** Asks the SDK to run `step` of run-skill for `ref`, with `memoized` as the results of the earlier steps. */
async function execute(
  ref: { runId: string; tenantId: string },
  step: string,
  memoized: Record<string, unknown>,
) {
  const event = { name: RUN_REQUESTED, data: ref, id: ref.runId, ts: Date.now() };
  const steps = Object.fromEntries(
    Object.entries(memoized).map(([name, data]) => [stepId(name), { data }]),
  );
  const url = new URL(appUrl);
  url.searchParams.set("fnId", "skillrun-forged-steps-run-skill");
  url.searchParams.set("stepId", stepId(step));
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-inngest-server-kind": "dev",
      "x-inngest-req-version": "2",
    },
    body: JSON.stringify({
      event,
      events: [event],
      steps,
      ctx: {
        run_id: `forged-${ref.runId}`,
        attempt: 0,
        max_attempts: 1,
        disable_immediate_execution: true,
        use_api: false,
        stack: { stack: Object.keys(steps), current: Object.keys(steps).length },
      },
      version: 2,
    }),
  });
  return { status: response.status, body: await response.text() };
}

async function runningRun() {
  const { ref } = await createQueuedRun(db);
  await markRunning(db, ref);
  await claimTurn(db, ref);
  return ref;
}

const rowOf = async (runId: string) =>
  (await db.select().from(skillRuns).where(eq(skillRuns.id, runId)))[0]!;

describe("run-skill with forged memoized steps", () => {
  it("a forged agent-turn outcome (the review's H2 body) fails the run in the finish step and writes nothing of it", async () => {
    const ref = await runningRun();
    const other = await runningRun();
    const forged = {
      kind: "complete",
      markdown: "# Forged",
      usage: {
        tenantId: other.tenantId,
        status: "complete",
        deliverable: { payload: "forged" },
        turnStartedAt: null,
      },
    };

    const response = await execute(ref, "finish", {
      "mark-running": true,
      "resolve-config": true,
      "agent-turn": forged,
    });

    expect(response.status).toBe(206);
    expect(response.body).toContain('"unreadable"');
    const row = await rowOf(ref.runId);
    expect(row).toMatchObject({
      tenantId: ref.tenantId,
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: UNREADABLE_TURN_REASON,
      deliverable: null,
      inputTokens: null,
    });
    expect(row.turnStartedAt).not.toBeNull();
    expect(
      (
        await db
          .select({ type: runEvents.type })
          .from(runEvents)
          .where(eq(runEvents.runId, ref.runId))
      ).map((event) => event.type),
    ).toEqual(["running", "failed"]);
    expect(await rowOf(other.runId)).toMatchObject({
      tenantId: other.tenantId,
      status: "running",
      deliverable: null,
    });
  });

  it("a genuine-looking outcome still completes the run through the same path", async () => {
    const ref = await runningRun();
    const usage = {
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: null,
    };
    const response = await execute(ref, "finish", {
      "mark-running": true,
      "resolve-config": true,
      "agent-turn": { kind: "complete", markdown: "# Brief", usage },
    });
    expect(response.status).toBe(206);
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "complete",
      deliverable: { payload: "# Brief" },
      inputTokens: 10,
      outputTokens: 20,
    });
  });

  it("a forged mark-running result that is not a boolean stops the function before any further step, writing nothing", async () => {
    const ref = await runningRun();
    const response = await execute(ref, "resolve-config", { "mark-running": "yes" });
    // The function fails (the engine then calls onFailure, which fails the run as crashed).
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.body).toContain("the mark-running step's result could not be read");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "running",
      configSnapshot: null,
      failureCode: null,
    });
  });

  it("a forged finish result naming deliveries it did not queue stops the function before any event is sent", async () => {
    const ref = await runningRun();
    const response = await execute(ref, "deliver", {
      "mark-running": true,
      "resolve-config": true,
      "agent-turn": { kind: "complete", markdown: "# Brief", usage: ZERO_USAGE },
      finish: {
        recorded: "complete",
        deliveries: [{ deliveryId: "not-a-uuid", tenantId: "someone-else", queuedAt: -1 }],
      },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.body).toContain("the finish step's result could not be read");
    expect(response.body).not.toContain('"deliver"');
  });
});
