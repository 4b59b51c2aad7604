import "server-only";
import { wrapLanguageModel, type LanguageModelMiddleware } from "ai";
import type { RetryableModel } from "./model-retry";

/** A model or tool call the turn is waiting on. */
export type TurnCall = { id: string; kind: "model_call" | "tool_call"; name: string | null };

/**
 * Where the turn reports the calls it waits on, so a live view can show work in progress.
 * A call settles with its event (the service writes both in one statement): a tool call's when
 * the tool returns, a model call's at its step's end, after the tools it asked for, so the
 * model call never drops out of the timeline while they run. Only a model call that failed,
 * and so has no event, settles on its own.
 */
export type CallReporter = {
  started: (call: TurnCall) => Promise<void>;
  settled: (callId: string) => Promise<void>;
};

export const SILENT_REPORTER: CallReporter = {
  started: async () => {},
  settled: async () => {},
};

/** The model call a step's `model_call` event describes: its id and how long the provider took. */
export type AnsweredModelCall = { id: string; durationMs: number };

/**
 * Wraps the provider's model so that each request is reported as it starts and settles. It
 * goes inside the retries: every attempt is its own call, so the call a `model_call` event
 * describes is the attempt that answered, and the failed ones before it are its retries.
 */
export function reportingModelCalls(model: RetryableModel, reporter: CallReporter) {
  let count = 0;
  let lastAnswered: AnsweredModelCall | null = null;
  const middleware: LanguageModelMiddleware = {
    specificationVersion: "v3",
    wrapGenerate: async ({ doGenerate }) => {
      count += 1;
      const id = `model-${count}`;
      await reporter.started({ id, kind: "model_call", name: null });
      const startedAt = Date.now();
      try {
        const result = await doGenerate();
        lastAnswered = { id, durationMs: Date.now() - startedAt };
        return result;
      } catch (error) {
        await reporter.settled(id);
        throw error;
      }
    },
  };
  return {
    model: wrapLanguageModel({ model, middleware }),
    lastAnswered: (): AnsweredModelCall | null => lastAnswered,
  };
}

/** A tool call's id as a turn call: the provider's id, kept apart from the model calls' ids. */
export const toolCallId = (providerCallId: string) => `tool-${providerCallId}`;
