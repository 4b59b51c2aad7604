/**
 * Dispatch end to end: startRun → skill/run.requested → the embedded engine (signed, as the
 * launcher runs it) → the real run-skill function served over HTTP in cloud mode → services →
 * PostgreSQL, with the AI SDK's mock language model scripted per test.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { APICallError } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { and, asc, DrizzleQueryError, eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { startEngine, type Engine } from "@/inngest/engine";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import { ModelNotConfiguredError } from "@/server/agent/models";
import type { RetryableModel } from "@/server/agent/model-retry";
import {
  agentKnowledgeBases,
  agentSkills,
  agentMcpServers,
  agents,
  agentTemplates,
  guardrails,
  kbDocuments,
  knowledgeBases,
  mcpServers,
  runEvents,
  skillRuns,
  skills,
} from "@/server/db/schema";
import { claimTurn } from "@/server/services/runs/run-lifecycle";
import { executeTurn } from "@/server/services/runs/run-turn";
import type { RunEvent } from "@/inngest/events";
import { cancelRun, startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { createTenant, openTestDatabase, waitForTerminalRun } from "./fixtures";
import { streamed } from "./streamed-model";

const { db } = openTestDatabase();

/** Models by name for this file; a name not here is "not configured". */
const models = new Map<string, RetryableModel>();
let engine: Engine;
let app: http.Server;
let deps: RunServiceDeps;
const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };

beforeAll(async () => {
  // Signed, as the launcher runs them: the engine signs every call, the SDK verifies it (cloud mode).
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
    ...keys,
  });
  const client = new Inngest({
    id: "skillrun-dispatch-test",
    isDev: false,
    baseUrl: engine.url,
    ...keys,
  });
  const runSkill = createRunSkillFunction({
    client,
    db: () => db,
    concurrencyPerTenant: 1,
    resolveModel: (name) => {
      if (name.startsWith("crash:")) throw new Error("the model registry exploded");
      // What a step meets while PostgreSQL restarts (chaos case 3): drizzle's wrapper around the driver's error.
      if (name.startsWith("db-down:"))
        throw new DrizzleQueryError(
          'update "skill_runs" set "deliverable" = $1',
          ["an input value"],
          Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), {
            code: "CONNECTION_CLOSED",
          }),
        );
      const model = models.get(name);
      if (!model) throw new ModelNotConfiguredError(name, ["TEST_MODEL_KEY"]);
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

const usage = (input: number, output: number): LanguageModelV3GenerateResult["usage"] => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const text = (value: string, tokens = [10, 20]): LanguageModelV3GenerateResult => ({
  content: value ? [{ type: "text", text: value }] : [],
  finishReason: { unified: "stop", raw: "stop" },
  usage: usage(tokens[0] ?? 0, tokens[1] ?? 0),
  warnings: [],
});
const toolCall = (toolName: string, input: object): LanguageModelV3GenerateResult => ({
  content: [
    { type: "tool-call", toolCallId: randomUUID(), toolName, input: JSON.stringify(input) },
  ],
  finishReason: { unified: "tool-calls", raw: "tool_calls" },
  usage: usage(30, 5),
  warnings: [],
});

/** A model named uniquely for one test, answering with the given results in order. */
function scriptedModel(
  results: LanguageModelV3GenerateResult[] | MockLanguageModelV3["doGenerate"],
) {
  const name = `mock:${randomUUID()}`;
  const model = new MockLanguageModelV3({ doGenerate: results });
  models.set(name, model);
  return { name, model };
}

async function tenantSetup(options: {
  model: string;
  deniedTerms?: string[];
  maxSteps?: number;
  timeoutSeconds?: number;
}) {
  const tenant = await createTenant(db);
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId: tenant.id,
      origin: "tenant",
      slug: `brief-${randomUUID().slice(0, 8)}`,
      name: "Brief",
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({
        type: "object",
        required: ["topic"],
        properties: { topic: { type: "string", title: "Topic" } },
      }),
      instructions: "Write a brief.",
      referenceFiles: [{ path: "references/style.md", content: "Be brief." }],
    })
    .returning();
  const [guardrail] = await db
    .insert(guardrails)
    .values({
      tenantId: tenant.id,
      name: "Standard",
      rules: {
        deniedTerms: options.deniedTerms ?? [],
        deniedPatterns: [],
        pii: "mask",
        maxDeliverableChars: 10_000,
      },
      isTenantDefault: true,
    })
    .returning();
  const [template] = await db
    .insert(agentTemplates)
    .values({
      tenantId: tenant.id,
      name: "T",
      systemPrompt: "You are precise.",
      defaultModel: options.model,
      maxSteps: options.maxSteps ?? 4,
      timeoutSeconds: options.timeoutSeconds ?? 30,
    })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({ tenantId: tenant.id, name: "A", templateId: template!.id, isDefault: true })
    .returning();
  const [kb] = await db
    .insert(knowledgeBases)
    .values({ tenantId: tenant.id, name: "Handbook" })
    .returning();
  await db.insert(kbDocuments).values({
    tenantId: tenant.id,
    knowledgeBaseId: kb!.id,
    title: "Renewal policy",
    content: "Northwind renews on 1 October with a 4% cap.",
  });
  await db.insert(agentKnowledgeBases).values({ agentId: agent!.id, knowledgeBaseId: kb!.id });
  await db.insert(agentSkills).values({ agentId: agent!.id, skillId: skill!.id });
  return { tenant, skill: skill!, agent: agent!, guardrail: guardrail! };
}

async function start(setup: Awaited<ReturnType<typeof tenantSetup>>, topic = "renewal") {
  const { run } = await startRun(deps, {
    tenantId: setup.tenant.id,
    skill: { id: setup.skill.id },
    inputs: { topic },
    source: "manual",
  });
  return run.id;
}

const terminal = (runId: string) => waitForTerminalRun(db, runId, 15_000);

async function waitForEngineRun(eventId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = (await fetch(`${engine.url}/v1/events/${eventId}/runs`, {
      headers: { authorization: `Bearer ${keys.signingKey}` },
    }).then((response) => response.json())) as {
      data: { status: string; output: unknown }[];
    };
    if (data[0] && data[0].status !== "Running") return data[0];
    if (Date.now() > deadline)
      throw new Error(`engine run for ${eventId} not finished: ${JSON.stringify(data)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForUsage(runId: string, inputTokens: number, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [run] = await db
      .select({ inputTokens: skillRuns.inputTokens })
      .from(skillRuns)
      .where(eq(skillRuns.id, runId));
    if (run?.inputTokens === inputTokens) return;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} has ${run?.inputTokens} input tokens, expected ${inputTokens}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForEvent(runId: string, type: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await timelineTypes(runId)).includes(type)) {
    if (Date.now() > deadline)
      throw new Error(`run ${runId} has no ${type} event after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a provider package throws for an HTTP error answer (retryable as the SDK would mark it). */
const providerError = (
  statusCode: number,
  message: string,
  responseHeaders?: Record<string, string>,
) =>
  new APICallError({
    message,
    url: "https://provider.invalid/v1",
    requestBodyValues: {},
    statusCode,
    responseHeaders,
    isRetryable: statusCode === 429 || statusCode >= 500,
  });

const timelineTypes = async (runId: string) =>
  (
    await db
      .select({ type: runEvents.type })
      .from(runEvents)
      .where(eq(runEvents.runId, runId))
      .orderBy(asc(runEvents.id))
  ).map((event) => event.type);

describe("a dispatched run", () => {
  it("completes with the model's deliverable after a knowledge-base tool call, with its timeline and summed usage", async () => {
    const { name, model } = scriptedModel([
      toolCall("search_knowledge_base", { query: "Northwind renewal" }),
      text("# Brief\n\n| Vendor | Renews |\n|---|---|\n| Northwind | 1 October |"),
    ]);
    const setup = await tenantSetup({ model: name });
    const run = await terminal(await start(setup));

    // An unpriced (mock) model has no cost rather than a guessed one.
    expect(run).toMatchObject({
      status: "complete",
      failureCode: null,
      inputTokens: 40,
      outputTokens: 25,
      costUsd: null,
    });
    expect(run.deliverable?.payload).toContain("| Northwind | 1 October |");
    expect(run.configSnapshot).toMatchObject({
      model: name,
      tools: ["read_skill_reference", "search_knowledge_base", "current_time"],
    });
    expect(await timelineTypes(run.id)).toEqual([
      "queued",
      "running",
      "config_resolved",
      "guardrail",
      "tool_call",
      "model_call",
      "model_call",
      "guardrail",
      "complete",
    ]);

    // The tool ran against this tenant's knowledge base: its result went back to the model.
    const secondPrompt = JSON.stringify(model.doGenerateCalls[1]?.prompt);
    expect(secondPrompt).toContain("Northwind");
    expect(JSON.stringify(model.doGenerateCalls[0]?.prompt)).toContain("Write a brief.");
  });

  it("a complete run is four steps, one service call each: the finish step also queues the run's deliveries", async () => {
    const { name } = scriptedModel([text("# Brief")]);
    const setup = await tenantSetup({ model: name });
    const run = await terminal(await start(setup));
    expect(run.status).toBe("complete");

    // Every step is a checkpoint and a statement of the engine's: a fifth step cost each run both.
    const engineRun = sql`select event_id, (select count(*)::int from jsonb_object_keys(steps)) as steps
      from inngest_engine.runs where id = ${run.inngestRunId}`;
    const [started] = await db.execute<{ event_id: string }>(engineRun);
    await waitForEngineRun(started!.event_id);
    const [ended] = await db.execute<{ steps: number }>(engineRun);
    expect(ended?.steps).toBe(4);
  });

  it("fails at once with model_not_configured, naming the variable, without calling any model", async () => {
    const setup = await tenantSetup({ model: "openai:not-set-up-here" });
    const run = await terminal(await start(setup));
    expect(run).toMatchObject({ status: "failed", failureCode: "model_not_configured" });
    expect(run.failureReason).toContain("TEST_MODEL_KEY");
  });

  it("turns a provider error into model_error with a readable reason, and never repeats a 401", async () => {
    const { name, model } = scriptedModel(async () => {
      throw providerError(401, "Incorrect API key provided");
    });
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run).toMatchObject({ status: "failed", failureCode: "model_error" });
    expect(run.failureReason).toBe(
      "The model provider rejected the credentials (HTTP 401): Incorrect API key provided",
    );
    expect(run.failureDetail).toEqual({
      model: name,
      httpStatus: 401,
      attempts: 1,
      retryAfterSeconds: null,
      credentialSettings: [],
    });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(await timelineTypes(run.id)).not.toContain("model_retry");
  });

  it("retries a rate-limited model call inside the one turn, honouring Retry-After, and shows each attempt", async () => {
    let calls = 0;
    const { name, model } = scriptedModel(async () => {
      calls++;
      if (calls === 1)
        throw providerError(429, "Rate limit reached, try again in 1s", { "retry-after": "1" });
      return text("# Brief\n\nAfter the rate limit.");
    });
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run).toMatchObject({ status: "complete", inputTokens: 10, outputTokens: 20 });
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(await timelineTypes(run.id)).toEqual([
      "queued",
      "running",
      "config_resolved",
      "guardrail",
      "model_retry",
      "model_call",
      "guardrail",
      "complete",
    ]);
    const [retry] = await db
      .select({ payload: runEvents.payload })
      .from(runEvents)
      .where(and(eq(runEvents.runId, run.id), eq(runEvents.type, "model_retry")));
    expect(retry?.payload).toMatchObject({
      attempt: 1,
      maxAttempts: 3,
      httpStatus: 429,
      delayMs: 1000,
      message: expect.stringContaining("Rate limit"),
    });
  });

  it("gives up on a provider that keeps failing after three attempts, saying so", async () => {
    const { name, model } = scriptedModel(async () => {
      throw providerError(503, "The server is overloaded", { "retry-after-ms": "10" });
    });
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run).toMatchObject({ status: "failed", failureCode: "model_error" });
    expect(run.failureReason).toBe(
      "The model provider failed (HTTP 503) on all 3 attempts: The server is overloaded",
    );
    expect(run.failureDetail).toMatchObject({ httpStatus: 503, attempts: 3 });
    expect(model.doGenerateCalls).toHaveLength(3);
    expect((await timelineTypes(run.id)).filter((type) => type === "model_retry")).toHaveLength(2);
  });

  it("does not wait out a Retry-After longer than a minute: the run fails at once and says when to re-run", async () => {
    const { name, model } = scriptedModel(async () => {
      throw providerError(429, "Quota exceeded", { "retry-after": "120" });
    });
    const run = await terminal(
      await start(await tenantSetup({ model: name, timeoutSeconds: 600 })),
    );
    expect(run).toMatchObject({ status: "failed", failureCode: "model_error" });
    expect(run.failureDetail).toMatchObject({
      httpStatus: 429,
      attempts: 1,
      retryAfterSeconds: 120,
    });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("a cancel during a retry's wait ends the turn at once, without another model call", async () => {
    const { name, model } = scriptedModel(async () => {
      throw providerError(429, "Slow down", { "retry-after": "30" });
    });
    const setup = await tenantSetup({ model: name, timeoutSeconds: 120 });
    const runId = await start(setup);
    await waitForEvent(runId, "model_retry");
    await cancelRun(deps, { tenantId: setup.tenant.id, runId });
    // The turn's usage is written when it ends: within the cancel poll, not after the 30 s wait.
    await waitForUsage(runId, 0, 5_000);
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("fails an empty answer with empty_deliverable", async () => {
    const { name } = scriptedModel([text("")]);
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run).toMatchObject({ status: "failed", failureCode: "empty_deliverable" });
  });

  it("blocks inputs and deliverables that break the guardrail, before and after the model", async () => {
    const inputs = scriptedModel([text("never used")]);
    const blockedInputs = await terminal(
      await start(
        await tenantSetup({ model: inputs.name, deniedTerms: ["project-x"] }),
        "about project-x",
      ),
    );
    expect(blockedInputs).toMatchObject({ status: "failed", failureCode: "guardrail_blocked" });
    expect(inputs.model.doGenerateCalls).toHaveLength(0);

    const output = scriptedModel([text("The project-x plan leaked.")]);
    const blockedOutput = await terminal(
      await start(await tenantSetup({ model: output.name, deniedTerms: ["project-x"] })),
    );
    expect(blockedOutput).toMatchObject({
      status: "failed",
      failureCode: "guardrail_blocked",
      deliverable: null,
    });
    expect(blockedOutput.failureReason).toContain("deliverable");
  });

  it("masks personal data in the deliverable and says so: the date stays, the phone numbers go, and the timeline records the masking, not a pass", async () => {
    const { name } = scriptedModel([
      text("Released 2025-05-20 at 10:30. Questions: (415) 555-2671 or +44 20 7946 0958."),
    ]);
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run).toMatchObject({
      status: "complete",
      deliverable: {
        payload:
          "Released 2025-05-20 at 10:30. Questions: [phone number removed] or [phone number removed].",
        masked: { phone: 2 },
      },
    });
    const guardrailEvents = (
      await db
        .select({ type: runEvents.type, payload: runEvents.payload })
        .from(runEvents)
        .where(eq(runEvents.runId, run.id))
        .orderBy(asc(runEvents.id))
    ).filter((event) => event.type.startsWith("guardrail"));
    expect(guardrailEvents).toEqual([
      { type: "guardrail", payload: { stage: "inputs", guardrail: "Standard", ok: true } },
      {
        type: "guardrail_masked",
        payload: { stage: "deliverable", guardrail: "Standard", counts: { phone: 2 }, total: 2 },
      },
    ]);
  });

  it("a run cancelled before it starts never runs: the function exits quietly", async () => {
    const { name, model } = scriptedModel([text("never used")]);
    const setup = await tenantSetup({ model: name });
    // Hold the event back until the run is cancelled, then deliver it for real.
    const held: RunEvent[] = [];
    const holding: RunServiceDeps = {
      db,
      dispatcher: { send: async (event) => (held.push(...[event].flat()), { ids: [] }) },
    };
    const { run } = await startRun(holding, {
      tenantId: setup.tenant.id,
      skill: { id: setup.skill.id },
      inputs: { topic: "x" },
      source: "manual",
    });
    await cancelRun(holding, { tenantId: setup.tenant.id, runId: run.id });
    const requested = held.find((event) => event.name === "skill/run.requested");
    const { ids } = await deps.dispatcher.send(requested!);

    const engineRun = await waitForEngineRun(ids[0]!);
    expect(engineRun).toMatchObject({
      status: "Completed",
      output: { skipped: "the run was not queued" },
    });
    expect(model.doGenerateCalls).toHaveLength(0);
    expect(await timelineTypes(run.id)).toEqual(["queued", "cancelled"]);
  });

  it("a cancel during the turn stops it: the model's next call never happens, and the usage so far is kept", async () => {
    let release: () => void = () => {};
    const secondCallStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const { name } = scriptedModel(async (options) => {
      calls++;
      if (calls === 1) return toolCall("current_time", {});
      release();
      // A slow call that honours the abort signal, like a real provider.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        options.abortSignal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("aborted"));
        });
      });
      return toolCall("current_time", {});
    });
    const setup = await tenantSetup({ model: name });
    const runId = await start(setup);
    await secondCallStarted;
    await cancelRun(deps, { tenantId: setup.tenant.id, runId });
    const run = await terminal(runId);
    expect(run.status).toBe("cancelled");
    // The usage of the first (completed) model call is recorded on the cancelled run.
    await waitForUsage(runId, 30);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // longer than the cancel poll: no third call
    expect(calls).toBe(2);
    expect(await timelineTypes(runId)).toContain("cancelled");
  });

  it("never runs a turn twice: a second execution of the turn step reports interrupted", async () => {
    const { name, model } = scriptedModel([text("once")]);
    const setup = await tenantSetup({ model: name });
    const runId = await start(setup);
    const run = await terminal(runId);
    expect(run.status).toBe("complete");
    // Replaying the step for a run whose turn was claimed must not call the model again.
    await db.update(skillRuns).set({ status: "running" }).where(eq(skillRuns.id, runId));
    expect(await claimTurn(db, { runId, tenantId: setup.tenant.id })).toBe(false);
    const replay = await executeTurn(db, { runId, tenantId: setup.tenant.id }, () =>
      streamed(model),
    );
    expect(replay).toMatchObject({ kind: "failed", code: "interrupted" });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("reports a tool that throws on the timeline and lets the agent finish", async () => {
    const { name } = scriptedModel([
      toolCall("read_skill_reference", { path: "references/missing.md" }),
      text("Done without it."),
    ]);
    const run = await terminal(await start(await tenantSetup({ model: name })));
    expect(run.status).toBe("complete");
    const [toolEvent] = await db
      .select({ payload: runEvents.payload })
      .from(runEvents)
      .where(and(eq(runEvents.runId, run.id), eq(runEvents.type, "tool_call")));
    expect(toolEvent?.payload).toMatchObject({
      name: "read_skill_reference",
      error: expect.stringContaining("No reference file"),
    });
  });

  it("fails with max_steps when the agent never stops calling tools", async () => {
    const { name } = scriptedModel(Array.from({ length: 5 }, () => toolCall("current_time", {})));
    const run = await terminal(await start(await tenantSetup({ model: name, maxSteps: 3 })));
    expect(run).toMatchObject({ status: "failed", failureCode: "max_steps" });
    expect(run.failureReason).toContain("3 steps");
  });

  it("fails with timeout when the turn outlives the template's limit, with the usage so far", async () => {
    const { name } = scriptedModel(async (options) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        options.abortSignal?.addEventListener(
          "abort",
          () => (clearTimeout(timer), reject(new Error("aborted"))),
        );
      });
      return text("too late");
    });
    const run = await terminal(await start(await tenantSetup({ model: name, timeoutSeconds: 1 })));
    expect(run).toMatchObject({
      status: "failed",
      failureCode: "timeout",
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it("runs one run per tenant at a time, and different tenants side by side", async () => {
    const windows: { tenant: string; from: number; to: number }[] = [];
    const slowModel = (tenant: string) =>
      scriptedModel(async () => {
        const from = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 300));
        windows.push({ tenant, from, to: Date.now() });
        return text("ok");
      });
    const first = await tenantSetup({ model: slowModel("a").name });
    const second = await tenantSetup({ model: slowModel("b").name });
    const runIds = await Promise.all([start(first), start(first), start(second)]);
    await Promise.all(runIds.map((runId) => terminal(runId)));
    const [a1, a2] = windows.filter((window) => window.tenant === "a");
    const b = windows.find((window) => window.tenant === "b");
    expect(a1 && a2 && (a1.to <= a2.from || a2.to <= a1.from)).toBe(true);
    expect(
      windows
        .filter((window) => window.tenant === "a")
        .some((window) => b && window.from < b.to && b.from < window.to),
    ).toBe(true);
  });

  it("offers the tools of the agent's MCP server, with its token, and fails clearly when a server is unreachable", async () => {
    const authorizations: string[] = [];
    const mcpHttp = http.createServer(async (request, response) => {
      authorizations.push(request.headers.authorization ?? "");
      const server = new McpServer({ name: "tickets", version: "1.0.0" });
      server.registerTool(
        "lookup_ticket",
        { description: "Look up a support ticket", inputSchema: { id: z.string() } },
        async ({ id }) => ({
          content: [{ type: "text", text: `Ticket ${id}: refund approved on 3 March` }],
        }),
      );
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      response.on("close", () => void transport.close().then(() => server.close()));
      await server.connect(transport);
      await transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => mcpHttp.listen(0, "127.0.0.1", resolve));
    const mcpUrl = `http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}/mcp`;
    try {
      const { name, model } = scriptedModel([
        toolCall("lookup_ticket", { id: "T-42" }),
        text("The refund for T-42 was approved on 3 March."),
      ]);
      const setup = await tenantSetup({ model: name });
      const [server] = await db
        .insert(mcpServers)
        .values({
          tenantId: setup.tenant.id,
          name: "tickets",
          url: mcpUrl,
          authToken: "mcp-test-token",
        })
        .returning();
      await db.insert(agentMcpServers).values({ agentId: setup.agent.id, mcpServerId: server!.id });

      const run = await terminal(await start(setup));
      expect(run.status).toBe("complete");
      expect(JSON.stringify(model.doGenerateCalls[1]?.prompt)).toContain(
        "refund approved on 3 March",
      );
      expect(authorizations.length).toBeGreaterThan(0);
      expect(authorizations.every((header) => header === "Bearer mcp-test-token")).toBe(true);
      expect(JSON.stringify(run.configSnapshot)).not.toContain("mcp-test-token");

      const broken = await tenantSetup({ model: scriptedModel([text("never used")]).name });
      const [unreachable] = await db
        .insert(mcpServers)
        .values({ tenantId: broken.tenant.id, name: "gone", url: "http://127.0.0.1:9/mcp" })
        .returning();
      await db
        .insert(agentMcpServers)
        .values({ agentId: broken.agent.id, mcpServerId: unreachable!.id });
      const failed = await terminal(await start(broken));
      expect(failed).toMatchObject({ status: "failed", failureCode: "agent_crashed" });
      expect(failed.failureReason).toContain('MCP server "gone"');
    } finally {
      mcpHttp.closeAllConnections();
      mcpHttp.close();
    }
  });

  it("an unexpected crash inside a step fails the run as agent_crashed through onFailure, with the error", async () => {
    const run = await terminal(await start(await tenantSetup({ model: `crash:${randomUUID()}` })));
    expect(run).toMatchObject({ status: "failed", failureCode: "agent_crashed" });
    expect(run.failureReason).toContain("the model registry exploded");
  });

  it("a crash on a database error gives the driver's message, never the SQL or its parameters", async () => {
    const run = await terminal(
      await start(await tenantSetup({ model: `db-down:${randomUUID()}` })),
    );
    expect(run).toMatchObject({
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: "The run crashed on a database error: write CONNECTION_CLOSED 127.0.0.1:5432",
    });
  });
});
