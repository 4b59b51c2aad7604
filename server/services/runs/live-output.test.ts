import type { LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { agentTemplates, guardrails, skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import { LIVE_OUTPUT_INTERVAL_MS, liveOutputWriter } from "./live-output";
import { markRunning } from "./run-lifecycle";
import { getRun } from "./run-queries";
import { executeTurn, finishRun, resolveRunConfig } from "./run-turn";

const { db } = openTestDatabase();

const FINISH: LanguageModelV3StreamPart = {
  type: "finish",
  finishReason: { unified: "stop", raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 20, text: 20, reasoning: 0 },
  },
};

/** A streamed answer: the text in `pieces`, as a provider streams it. */
const textParts = (pieces: string[]): LanguageModelV3StreamPart[] => [
  { type: "stream-start", warnings: [] },
  { type: "text-start", id: "0" },
  ...pieces.map((delta): LanguageModelV3StreamPart => ({ type: "text-delta", id: "0", delta })),
  { type: "text-end", id: "0" },
  FINISH,
];

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Streams `parts`, pausing before part `holdAt` until `hold` opens (or the call is aborted). */
function heldStream(parts: LanguageModelV3StreamPart[], holdAt: number, hold: Promise<void>) {
  let index = 0;
  return new ReadableStream<LanguageModelV3StreamPart>({
    async pull(controller) {
      if (index === holdAt) await hold;
      const part = parts[index++];
      if (part) controller.enqueue(part);
      else controller.close();
    },
  });
}

/** A running run whose config is resolved with a masking guardrail, its turn not yet claimed. */
async function runningRun() {
  const { tenant, template, ref } = await createQueuedRun(db);
  await db.insert(guardrails).values({
    tenantId: tenant.id,
    name: "Standard",
    rules: { deniedTerms: [], deniedPatterns: [], pii: "mask", maxDeliverableChars: null },
    isTenantDefault: true,
  });
  await db
    .update(agentTemplates)
    .set({ defaultModel: "mock:streamed" })
    .where(eq(agentTemplates.id, template.id));
  expect(await markRunning(db, ref)).toBe(true);
  expect(await resolveRunConfig(db, ref)).toBe(true);
  return ref;
}
type Ref = Awaited<ReturnType<typeof runningRun>>;

async function runRow(ref: Ref) {
  const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, ref.runId));
  if (!run) throw new Error("no run");
  return run;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`never reached: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("live output of a streamed turn", () => {
  it("shows the answer so far while the model writes it, masked, and ends with the deliverable byte for byte", async () => {
    const ref = await runningRun();
    const hold = gate();
    const parts = textParts([
      "\n# Reply to Lin\n\n",
      "Write to lin",
      ".chen@example",
      ".com today.\n\n",
      // Held here: the page must show the text so far, before the run completes.
      "Or call (415) 555",
      "-2671 now.  \n",
    ]);
    const model = new MockLanguageModelV3({
      doStream: async () => ({ stream: heldStream(parts, 6, hold.opened) }),
    });
    const turn = executeTurn(db, ref, () => model);

    const partial = await eventually(
      () => getRun(db, ref.tenantId, ref.runId),
      (run) => run.liveOutput?.text.includes("today.") === true,
    );
    expect(partial.status).toBe("running");
    expect(partial.deliverable).toBeNull();
    expect(partial.liveOutput).toEqual({
      text: "# Reply to Lin\n\nWrite to [email address removed] today.\n\n",
      withheld: false,
    });

    hold.open();
    const outcome = await turn;
    expect(outcome.kind).toBe("complete");
    if (outcome.kind !== "complete") return;
    expect(outcome.markdown).toBe(
      "# Reply to Lin\n\nWrite to [email address removed] today.\n\nOr call [phone number removed] now.",
    );
    // The last live text is the deliverable as `finish` stores it.
    expect((await runRow(ref)).liveOutput).toEqual({ text: outcome.markdown, withheld: false });

    expect(await finishRun(db, ref, outcome)).toBe("complete");
    const run = await runRow(ref);
    expect(run.deliverable?.payload).toBe(outcome.markdown);
    expect(Buffer.from(run.deliverable?.payload ?? "").equals(Buffer.from(outcome.markdown))).toBe(
      true,
    );
    // Once the run has ended, the live copy is gone: the deliverable is the one record.
    expect(run.liveOutput).toBeNull();
    expect((await getRun(db, ref.tenantId, ref.runId)).liveOutput).toBeNull();
  });

  it("never stores a piece of personal data the deliverable masks, whichever way the stream is cut", async () => {
    const ref = await runningRun();
    const answer =
      "Card 4111 1111 1111 1111 on file; mail lin.chen@example.com or call +44 20 7946 0958 today.\n";
    // One character at a time, slowly enough for several throttled writes.
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: textParts(answer.split("")),
          chunkDelayInMs: 15,
        }),
      }),
    });
    const seen = new Set<string>();
    let done = false;
    const turn = executeTurn(db, ref, () => model).finally(() => (done = true));
    while (!done) {
      const live = (await runRow(ref)).liveOutput;
      if (live) seen.add(live.text);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const outcome = await turn;
    expect(outcome.kind).toBe("complete");
    const partials = [...seen].filter(
      (text) => outcome.kind === "complete" && text !== outcome.markdown,
    );
    expect(partials.length).toBeGreaterThan(0);
    for (const text of seen)
      for (const telltale of ["4111", "1111", "lin.chen", "example.com", "7946", "0958"])
        expect(text).not.toContain(telltale);
  });

  it("writes at most once per interval however fast the text arrives", async () => {
    const ref = await runningRun();
    let writes = 0;
    const counting = new Proxy(db, {
      get(target, property, receiver) {
        if (property === "update") writes += 1;
        return Reflect.get(target, property, receiver);
      },
    }) as Database;
    const writer = liveOutputWriter(counting, ref);
    const onText = writer.follow(null);
    const startedAt = Date.now();
    let text = "";
    for (let piece = 0; piece < 60; piece++) {
      text += `word${piece} `;
      onText(text);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await writer.close();
    const elapsed = Date.now() - startedAt;
    expect(writes).toBeGreaterThan(0);
    // One write per interval that has passed (and none in the first): not one per piece.
    expect(writes).toBeLessThanOrEqual(Math.floor(elapsed / LIVE_OUTPUT_INTERVAL_MS));
    expect(writes).toBeLessThan(60);
    const live = (await runRow(ref)).liveOutput;
    expect(text.startsWith(live?.text ?? "-")).toBe(true);
  });

  it("a cancel aborts the streamed model call", async () => {
    const ref = await runningRun();
    const model = new MockLanguageModelV3({
      // As a provider's fetch does: the abort ends the response body with an error.
      doStream: async ({ abortSignal }) => {
        const aborted = new Promise<void>((_, reject) =>
          abortSignal?.addEventListener("abort", () => reject(abortSignal.reason)),
        );
        aborted.catch(() => {});
        return { stream: heldStream(textParts(["# Draft\n\n", "First words "]), 4, aborted) };
      },
    });
    const turn = executeTurn(db, ref, () => model);
    await eventually(
      () => runRow(ref),
      (run) => run.liveOutput?.text === "# Draft\n\nFirst words ",
    );
    await db.update(skillRuns).set({ status: "cancelled" }).where(eq(skillRuns.id, ref.runId));
    expect((await turn).kind).toBe("cancelled");
    expect(model.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
  });
});
