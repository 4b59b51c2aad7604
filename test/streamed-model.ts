import { simulateStreamingMiddleware, wrapLanguageModel } from "ai";

/**
 * A mock model scripted with whole answers (`doGenerate`, counted in `doGenerateCalls`), served
 * to the turn as a stream, which is how the turn calls every model: the AI SDK's own simulation
 * turns each answer into the parts a provider streams.
 */
export const streamed = (model: Parameters<typeof wrapLanguageModel>[0]["model"]) =>
  wrapLanguageModel({ model, middleware: simulateStreamingMiddleware() });
