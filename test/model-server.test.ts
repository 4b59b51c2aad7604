import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, stepCountIs, streamText, tool, type LanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_TEXT, startModelServer } from "@/e2e/fixtures/model-server";
import {
  modelCalls,
  releaseModel,
  scriptMarker,
  scriptModel,
  uniqueScriptKey,
} from "@/e2e/fixtures/model-script";

let server: Awaited<ReturnType<typeof startModelServer>>;
let model: LanguageModel;

beforeAll(async () => {
  server = await startModelServer({ port: 0 });
  model = createOpenAICompatible({ name: "openai-compatible", baseURL: `${server.url}/v1` })(
    "scripted",
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
});

/** The prompt shape of server/agent/turn.ts: the run's inputs as JSON. */
const promptFor = (key: string) =>
  `Run the skill "Test" with these inputs (JSON):\n\n${JSON.stringify({ topic: scriptMarker(key) }, null, 2)}`;

function weatherTool() {
  const calls: unknown[] = [];
  const weather = tool({
    description: "The weather in a city.",
    inputSchema: z.object({ city: z.string(), days: z.number() }),
    execute: async (input) => {
      calls.push(input);
      return { forecast: "sunny" };
    },
  });
  return { calls, tools: { weather } };
}

describe("the scripted model server", () => {
  it("plays a tool call then a final text through the openai-compatible provider", async () => {
    const key = uniqueScriptKey("tool loop");
    expect(key).toMatch(/^tool-loop-[a-z0-9]+-[0-9a-f]{8}$/);
    await scriptModel(
      key,
      [
        { toolCalls: [{ name: "weather", arguments: { city: "Oslo", days: 3 } }] },
        { text: "# Forecast\n\nSunny in Oslo.", usage: { promptTokens: 120, completionTokens: 8 } },
      ],
      server.url,
    );
    const { calls, tools } = weatherTool();

    const result = await generateText({
      model,
      system: "You are a test.",
      prompt: promptFor(key),
      tools,
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });

    expect(calls).toEqual([{ city: "Oslo", days: 3 }]);
    expect(result.text).toBe("# Forecast\n\nSunny in Oslo.");
    expect(result.finishReason).toBe("stop");
    expect(result.steps.map((step) => step.finishReason)).toEqual(["tool-calls", "stop"]);
    const [first, second] = result.steps;
    expect(first?.usage.inputTokens).toBeGreaterThan(0);
    expect(first?.usage.outputTokens).toBeGreaterThan(0);
    expect(second?.usage).toMatchObject({ inputTokens: 120, outputTokens: 8, totalTokens: 128 });
    expect(result.totalUsage.inputTokens).toBe((first?.usage.inputTokens ?? 0) + 120);

    const recorded = await modelCalls(key, server.url);
    expect(recorded.calls).toBe(2);
    expect(recorded.aborted).toBe(0);
    expect(recorded.requests[0]?.model).toBe("scripted");
    expect(recorded.requests[0]?.tools).toEqual([
      expect.objectContaining({
        type: "function",
        function: expect.objectContaining({ name: "weather" }),
      }),
    ]);
    expect(recorded.requests[1]?.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
    ]);
    expect(recorded.requests[1]?.messages[3]?.content).toContain("sunny");
  });

  it("streams the same script as server-sent events", async () => {
    const key = uniqueScriptKey("stream");
    await scriptModel(
      key,
      [
        { toolCalls: [{ name: "weather", arguments: { city: "Bergen", days: 1 } }] },
        { text: "A long enough answer to arrive in several chunks." },
      ],
      server.url,
    );
    const { calls, tools } = weatherTool();

    const result = streamText({
      model,
      prompt: promptFor(key),
      tools,
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });

    expect(await result.text).toBe("A long enough answer to arrive in several chunks.");
    expect(calls).toEqual([{ city: "Bergen", days: 1 }]);
    expect((await result.totalUsage).outputTokens).toBeGreaterThan(0);
    expect((await modelCalls(key, server.url)).requests.map((request) => request.stream)).toEqual([
      true,
      true,
    ]);
  });

  it("streams a text step's first characters, then holds the rest until released", async () => {
    const key = uniqueScriptKey("held-stream");
    await scriptModel(
      key,
      [{ text: "# Half written\n\nand the rest.", holdAfterChars: 16 }],
      server.url,
    );
    const result = streamText({ model, prompt: promptFor(key), maxRetries: 0 });
    let received = "";
    const reader = result.textStream[Symbol.asyncIterator]();
    while (received.length < 16) {
      const next = await reader.next();
      if (next.done) break;
      received += next.value;
    }
    expect(received).toBe("# Half written\n\n");
    expect((await modelCalls(key, server.url)).held).toBe(1);
    await releaseModel(key, { serverUrl: server.url });
    for (let next = await reader.next(); !next.done; next = await reader.next())
      received += next.value;
    expect(received).toBe("# Half written\n\nand the rest.");
    expect(await result.text).toBe(received);
  });

  it("answers an error step with its HTTP status", async () => {
    const key = uniqueScriptKey("error");
    await scriptModel(
      key,
      [{ error: { status: 429, message: "Slow down.", retryAfterSeconds: 20 } }],
      server.url,
    );

    const failure = await generateText({ model, prompt: promptFor(key), maxRetries: 0 }).catch(
      (error: unknown) => error,
    );

    expect(APICallError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ statusCode: 429, message: "Slow down." });
    expect((failure as APICallError).responseHeaders?.["retry-after"]).toBe("20");
    expect((await modelCalls(key, server.url)).calls).toBe(1);
  });

  it("stops a delayed answer when the client aborts, and keeps serving", async () => {
    const key = uniqueScriptKey("delay");
    await scriptModel(
      key,
      [{ text: "Too late.", delayMs: 30_000 }, { text: "Next one." }],
      server.url,
    );

    const startedAt = Date.now();
    const failure = await generateText({
      model,
      prompt: promptFor(key),
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(200),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    await vi.waitFor(async () =>
      expect(await modelCalls(key, server.url)).toMatchObject({ calls: 1, aborted: 1 }),
    );
    expect((await fetch(`${server.url}/__health`)).status).toBe(200);
    const next = await generateText({ model, prompt: promptFor(key), maxRetries: 0 });
    expect(next.text).toBe("Next one.");
  });

  it("holds each held step until the spec releases it, one release per call", async () => {
    const key = uniqueScriptKey("hold");
    await scriptModel(
      key,
      [
        { text: "First.", hold: true },
        { text: "Abandoned.", hold: true },
        { text: "Released ahead.", hold: true },
      ],
      server.url,
    );

    const first = generateText({ model, prompt: promptFor(key), maxRetries: 0 });
    await vi.waitFor(async () =>
      expect(await modelCalls(key, server.url)).toMatchObject({ calls: 1, held: 1 }),
    );
    await releaseModel(key, { serverUrl: server.url });
    expect((await first).text).toBe("First.");
    expect((await modelCalls(key, server.url)).held).toBe(0);

    // A held call the client abandons is counted, and takes no release with it.
    const abandoned = new AbortController();
    const second = generateText({
      model,
      prompt: promptFor(key),
      maxRetries: 0,
      abortSignal: abandoned.signal,
    }).catch((error: unknown) => error);
    await vi.waitFor(async () =>
      expect(await modelCalls(key, server.url)).toMatchObject({ calls: 2, held: 1 }),
    );
    abandoned.abort();
    expect(await second).toBeInstanceOf(Error);
    await vi.waitFor(async () =>
      expect(await modelCalls(key, server.url)).toMatchObject({ aborted: 1, held: 0 }),
    );

    // A release before the held call arrives is kept for it.
    await releaseModel(key, { serverUrl: server.url });
    expect((await generateText({ model, prompt: promptFor(key), maxRetries: 0 })).text).toBe(
      "Released ahead.",
    );
  });

  it("answers the default deliverable without a marker or past the script's end", async () => {
    const unmarked = await generateText({
      model,
      prompt: "No marker here (a transcript:abc is not one).",
      maxRetries: 0,
    });
    expect(unmarked.text).toBe(DEFAULT_TEXT);
    expect((await modelCalls("abc", server.url)).calls).toBe(0);

    const key = uniqueScriptKey("short");
    await scriptModel(key, [{ text: "Only answer." }], server.url);
    expect((await generateText({ model, prompt: promptFor(key), maxRetries: 0 })).text).toBe(
      "Only answer.",
    );
    expect((await generateText({ model, prompt: promptFor(key), maxRetries: 0 })).text).toBe(
      DEFAULT_TEXT,
    );
    expect((await modelCalls(key, server.url)).calls).toBe(2);
  });

  it("rejects a malformed script", async () => {
    await expect(scriptModel("bad", [{ toolCalls: [] }], server.url)).rejects.toThrow(
      /answered 400/,
    );
    const response = await fetch(`${server.url}/__scripts/bad`, {
      method: "PUT",
      body: "not json",
    });
    expect(response.status).toBe(400);
  });

  it("is reached by the app's resolver with the e2e configuration", async () => {
    vi.stubEnv("OPENAI_COMPATIBLE_BASE_URL", `${server.url}/v1`);
    const { resolveModel } = await import("@/server/agent/models");
    const key = uniqueScriptKey("resolver");
    await scriptModel(key, [{ text: "Through the resolver." }], server.url);

    const result = await generateText({
      model: resolveModel("openai-compatible:scripted"),
      prompt: promptFor(key),
      maxRetries: 0,
    });

    expect(result.text).toBe("Through the resolver.");
    expect((await modelCalls(key, server.url)).requests[0]?.model).toBe("scripted");
  });
});
