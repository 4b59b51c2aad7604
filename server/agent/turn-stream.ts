import "server-only";

/**
 * Reads the turn's stream to its end, passing the answer so far to `onText`. Rethrows the
 * first error the stream carried (a model call that failed, the abort), as a non-streaming
 * call would have thrown it.
 */
export async function followStream(
  parts: AsyncIterable<{ type: string; text?: string; error?: unknown }>,
  onText: (textSoFar: string) => void,
): Promise<void> {
  let text = "";
  let stepStarted = false;
  let failure: { error: unknown } | null = null;
  for await (const part of parts) {
    if (part.type === "start-step") stepStarted = true;
    else if (part.type === "text-delta" && part.text) {
      if (stepStarted) [text, stepStarted] = ["", false];
      text += part.text;
      onText(text);
    } else if (part.type === "error") failure ??= { error: part.error };
    else if (part.type === "abort") failure ??= { error: new Error("The turn was aborted.") };
  }
  if (failure) throw failure.error;
}
