import "server-only";
import { wrapLanguageModel, type LanguageModelMiddleware } from "ai";
import type { RetryableModel } from "./model-retry";

type StreamPart =
  Awaited<ReturnType<RetryableModel["doStream"]>>["stream"] extends ReadableStream<infer Part>
    ? Part
    : never;

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
  const start = async () => {
    count += 1;
    const id = `model-${count}`;
    await reporter.started({ id, kind: "model_call", name: null });
    return { id, startedAt: Date.now() };
  };
  const middleware: LanguageModelMiddleware = {
    specificationVersion: "v3",
    wrapGenerate: async ({ doGenerate }) => {
      const call = await start();
      try {
        const result = await doGenerate();
        lastAnswered = { id: call.id, durationMs: Date.now() - call.startedAt };
        return result;
      } catch (error) {
        await reporter.settled(call.id);
        throw error;
      }
    },
    // A streamed call has answered when its stream has finished; one that breaks off settles.
    wrapStream: async ({ doStream }) => {
      const call = await start();
      let result;
      try {
        result = await doStream();
      } catch (error) {
        await reporter.settled(call.id);
        throw error;
      }
      const { stream, ...rest } = result;
      let answered = false;
      const settle = () => {
        if (!answered) void reporter.settled(call.id);
      };
      const watched = stream.pipeThrough(
        new TransformStream<StreamPart, StreamPart>({
          transform(part, controller) {
            if (part.type === "finish") {
              answered = true;
              lastAnswered = { id: call.id, durationMs: Date.now() - call.startedAt };
            } else if (part.type === "error") settle();
            controller.enqueue(part);
          },
          flush: settle,
        }),
      );
      return { ...rest, stream: watched };
    },
  };
  return {
    model: wrapLanguageModel({ model, middleware }),
    lastAnswered: (): AnsweredModelCall | null => lastAnswered,
  };
}

/** A tool call's id as a turn call: the provider's id, kept apart from the model calls' ids. */
export const toolCallId = (providerCallId: string) => `tool-${providerCallId}`;
