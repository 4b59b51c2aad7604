import { randomUUID } from "node:crypto";
import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgentTurn } from "@/server/agent/turn";
import { agentTemplates, runEvents, skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import { markRunning, loadRunForTurn } from "./run-lifecycle";
import { getRun, listRunEvents } from "./run-queries";
import { executeTurn, resolveRunConfig } from "./run-turn";
import { turnRecorder } from "./turn-recorder";
import { streamed } from "@/test/streamed-model";

const { db } = openTestDatabase();

const usage = (input: number, output: number): LanguageModelV3GenerateResult["usage"] => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const text = (value: string): LanguageModelV3GenerateResult => ({
  content: [{ type: "text", text: value }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: usage(10, 20),
  warnings: [],
});
const toolCall = (toolName: string): LanguageModelV3GenerateResult => ({
  content: [{ type: "tool-call", toolCallId: randomUUID(), toolName, input: "{}" }],
  finishReason: { unified: "tool-calls", raw: "tool_calls" },
  usage: usage(30, 5),
  warnings: [],
});

/** A promise a test resolves when it wants: what holds a model or tool call mid-flight. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A model answering with `results` in order, each call waiting for its gate first. */
function heldModel(results: LanguageModelV3GenerateResult[]) {
  const gates = results.map(() => gate());
  let calls = 0;
  const model = new MockLanguageModelV3({
    doGenerate: async () => {
      const index = calls++;
      await gates[index]?.opened;
      const result = results[index];
      if (!result) throw new Error("no scripted answer left");
      return result;
    },
  });
  return { model, release: (index: number) => gates[index]?.open() };
}

/** A running run with its config resolved and its turn not yet claimed; `model` names its model. */
async function runningRun(model = "mock:scripted") {
  const { template, ref } = await createQueuedRun(db);
  await db
    .update(agentTemplates)
    .set({ defaultModel: model })
    .where(eq(agentTemplates.id, template.id));
  expect(await markRunning(db, ref)).toBe(true);
  expect(await resolveRunConfig(db, ref)).toBe(true);
  return ref;
}

type Ref = Awaited<ReturnType<typeof runningRun>>;

const timeline = (ref: Ref) => listRunEvents(db, ref.tenantId, ref.runId);
const inProgress = async (ref: Ref) =>
  (await timeline(ref)).filter((entry) => entry.kind === "in_progress");

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the timeline shows the call the turn is waiting on", () => {
  it("lists a pending model call, then places each model call before the tools it asked for", async () => {
    const ref = await runningRun();
    const { model, release } = heldModel([toolCall("current_time"), text("# Brief\n\nDone.")]);
    const turn = executeTurn(db, ref, () => streamed(model));

    const [pending] = await eventually(
      () => inProgress(ref),
      (calls) => calls.length === 1,
    );
    expect(pending).toMatchObject({ kind: "in_progress", type: "model_call", name: null });
    expect(pending?.elapsedMs).toBeGreaterThanOrEqual(0);
    // Nothing of the model yet: the call has no event until it is done.
    const recorded = (await timeline(ref)).filter((entry) => entry.kind === "event");
    expect(recorded.map((entry) => entry.type)).not.toContain("model_call");

    release(0);
    // The second model call, after the tool: the first one and its tool are recorded by now.
    await eventually(
      () => timeline(ref),
      (entries) => entries.some((entry) => entry.kind === "event" && entry.type === "tool_call"),
    );
    await eventually(
      () => inProgress(ref),
      (calls) => calls.length === 1,
    );
    release(1);
    expect(await turn).toMatchObject({ kind: "complete" });

    const entries = await timeline(ref);
    expect(entries.every((entry) => entry.kind === "event")).toBe(true);
    expect(entries.map((entry) => entry.type)).toEqual([
      "running",
      "config_resolved",
      "model_call",
      "tool_call",
      "model_call",
    ]);
    const calls = entries.filter((entry) => entry.kind === "event" && entry.startedAt !== null);
    expect(calls).toHaveLength(3);
    // Each call's event carries its start; the timeline is in start order.
    const starts = calls.map((entry) => (entry.kind === "event" ? entry.startedAt!.getTime() : 0));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // As written, the model call's event still follows its tools' (it is recorded at the step's end).
    const written = await db
      .select({ type: runEvents.type })
      .from(runEvents)
      .where(eq(runEvents.runId, ref.runId))
      .orderBy(asc(runEvents.id));
    expect(written.map((event) => event.type)).toEqual([
      "running",
      "config_resolved",
      "tool_call",
      "model_call",
      "model_call",
    ]);
    const [run] = await db
      .select({ activeCalls: skillRuns.activeCalls })
      .from(skillRuns)
      .where(eq(skillRuns.id, ref.runId));
    expect(run?.activeCalls).toEqual({});
  });

  it("lists a pending tool call by name, with the model call that asked for it still in progress", async () => {
    const ref = await runningRun();
    const run = await loadRunForTurn(db, ref);
    const { model, release } = heldModel([toolCall("slow_lookup"), text("# Brief\n\nDone.")]);
    release(0);
    release(1);
    const lookup = gate();
    const turn = runAgentTurn({
      model: streamed(model),
      config: run!.configSnapshot!,
      skill: { ...run!.skill!, referenceFiles: [] },
      inputs: {},
      cancelSignal: new AbortController().signal,
      mcpTools: {
        slow_lookup: tool({
          description: "A lookup that takes its time.",
          inputSchema: z.object({}),
          execute: async () => {
            await lookup.opened;
            return "found";
          },
        }),
      },
      searchKnowledgeBase: async () => [],
      ...turnRecorder(db, ref),
    });

    const pending = await eventually(
      () => inProgress(ref),
      (calls) => calls.some((call) => call.type === "tool_call"),
    );
    expect(pending.find((call) => call.type === "tool_call")).toMatchObject({
      name: "slow_lookup",
    });
    // The model answered, but its event waits for the step's end: until then it stays in
    // progress, so it never drops out of the timeline while its tool runs.
    const whileTheToolRuns = await timeline(ref);
    expect(whileTheToolRuns.map((entry) => [entry.kind, entry.type])).toEqual([
      ["event", "running"],
      ["event", "config_resolved"],
      ["in_progress", "model_call"],
      ["in_progress", "tool_call"],
    ]);
    lookup.open();
    expect(await turn).toMatchObject({ kind: "complete" });

    const tool_ = (await timeline(ref)).find((entry) => entry.type === "tool_call");
    expect(tool_).toMatchObject({ kind: "event", payload: { name: "slow_lookup" } });
    expect(tool_?.kind === "event" && tool_.startedAt).toBeInstanceOf(Date);
    expect(await inProgress(ref)).toEqual([]);
  });

  it("settles a call whose event cannot be written, rather than leave it in progress", async () => {
    const ref = await runningRun();
    const { onCall, onEvent } = turnRecorder(db, ref);
    await onCall.started({ id: "tool-nul", kind: "tool_call", name: "binary_lookup" });
    expect(await inProgress(ref)).toHaveLength(1);
    // PostgreSQL's jsonb refuses a NUL character, as a tool's output may hold one.
    const recording = onEvent({
      type: "tool_call",
      callId: "tool-nul",
      payload: {
        name: "binary_lookup",
        arguments: "{}",
        resultChars: 1,
        resultPreview: "\u0000",
        durationMs: 1,
      },
    });
    await expect(recording).rejects.toThrow();
    expect(await inProgress(ref)).toEqual([]);
  });

  it("shows no call in progress once the run has ended, whatever a dead turn left behind", async () => {
    const ref = await runningRun();
    await db
      .update(skillRuns)
      .set({
        activeCalls: {
          "model-1": { kind: "model_call", name: null, startedAt: new Date().toISOString() },
        },
      })
      .where(eq(skillRuns.id, ref.runId));
    expect(await inProgress(ref)).toHaveLength(1);
    await db
      .update(skillRuns)
      .set({ status: "failed", failureCode: "stale_running", finishedAt: new Date() })
      .where(eq(skillRuns.id, ref.runId));
    expect(await inProgress(ref)).toEqual([]);
  });
});

describe("a running run's usage so far", () => {
  it("sums the model calls recorded so far, priced when its model has a price", async () => {
    const ref = await runningRun("openai:gpt-4.1-mini");
    for (const [inputTokens, outputTokens] of [
      [1000, 200],
      [3000, 400],
    ])
      await db.insert(runEvents).values({
        ...ref,
        type: "model_call",
        payload: { model: "openai:gpt-4.1-mini", inputTokens, outputTokens, durationMs: 5 },
      });
    const run = await getRun(db, ref.tenantId, ref.runId);
    // 4,000 in at $0.40/M and 600 out at $1.60/M.
    expect(run.usageSoFar).toEqual({ inputTokens: 4000, outputTokens: 600, costUsd: "0.002560" });
    expect(run.priceKnown).toBe(true);

    await db
      .update(skillRuns)
      .set({ status: "complete", finishedAt: new Date(), inputTokens: 4000, outputTokens: 600 })
      .where(eq(skillRuns.id, ref.runId));
    expect((await getRun(db, ref.tenantId, ref.runId)).usageSoFar).toBeNull();
  });

  it("has no cost for a model without a price, and says the price is unknown", async () => {
    const ref = await runningRun("mock:unpriced");
    await db.insert(runEvents).values({
      ...ref,
      type: "model_call",
      payload: { inputTokens: 10, outputTokens: 2 },
    });
    const run = await getRun(db, ref.tenantId, ref.runId);
    expect(run.usageSoFar).toEqual({ inputTokens: 10, outputTokens: 2, costUsd: null });
    expect(run.priceKnown).toBe(false);
  });
});
