import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { APICallError, wrapLanguageModel, type LanguageModelMiddleware } from "ai";

/** A model the turn can wrap with middleware (every provider package returns one). */
export type RetryableModel = Parameters<typeof wrapLanguageModel>[0]["model"];

/**
 * A model call is tried at most this often. The run itself is never retried (a turn is not
 * idempotent); only a call the provider refused before doing any work is repeated.
 */
export const MAX_MODEL_ATTEMPTS = 3;
/** Backoff when the provider does not say how long to wait: 1 s, then 2 s. */
const BASE_BACKOFF_MS = 1_000;
/** A provider asking for a longer pause ends the turn: the operator decides when to re-run. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** What an operator learns of one failed model call. */
export type ModelCallFailure = {
  httpStatus: number | null;
  retryAfterMs: number | null;
  message: string;
};

export function describeCallFailure(error: unknown): ModelCallFailure | null {
  if (!APICallError.isInstance(error)) return null;
  return {
    httpStatus: error.statusCode ?? null,
    retryAfterMs: retryAfterMs(error.responseHeaders),
    message: error.message,
  };
}

/**
 * Rate limits (429), provider failures (5xx) and calls that never got an answer (no status:
 * refused connection, reset socket) are transient. Anything else (400, 401, 403, 404, 422…)
 * would fail the same way again, so it is never repeated.
 */
export function isTransient(failure: ModelCallFailure): boolean {
  return failure.httpStatus === null || failure.httpStatus === 429 || failure.httpStatus >= 500;
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(
  headers: Record<string, string> | undefined,
  now = Date.now(),
): number | null {
  if (!headers) return null;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const milliseconds = Number.parseFloat(lower["retry-after-ms"] ?? "");
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const raw = lower["retry-after"]?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number.parseFloat(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export type ModelRetry = {
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  failure: ModelCallFailure;
};

/**
 * How long to wait before the next attempt, or null to give up: the call failed for good,
 * the attempts are used up, or the wait would not fit the provider's hint, our cap or the
 * time the turn has left.
 */
export function retryDelay(
  failure: ModelCallFailure,
  attempt: number,
  msLeft: number,
): number | null {
  if (!isTransient(failure) || attempt >= MAX_MODEL_ATTEMPTS) return null;
  const delayMs = failure.retryAfterMs ?? BASE_BACKOFF_MS * 2 ** (attempt - 1);
  return delayMs > MAX_RETRY_WAIT_MS || delayMs >= msLeft ? null : delayMs;
}

/**
 * Wraps a model so that each call is retried on transient failures inside the one turn.
 * `onRetry` is awaited before each wait (the timeline shows it as it happens); `signal`
 * (cancel or the turn's timeout) ends a wait at once. `attemptsOfLastCall` tells the turn how
 * many attempts the call that finally failed took.
 */
export function withModelRetries(
  model: RetryableModel,
  options: { signal: AbortSignal; deadline: number; onRetry: (retry: ModelRetry) => Promise<void> },
): { model: RetryableModel; attemptsOfLastCall: () => number } {
  let attempts = 0;
  // A streamed call is retried only while opening it fails: once its stream has started, the
  // provider has done work, and an error in it ends the turn like any other.
  const withRetries = async <Result>(call: () => PromiseLike<Result>): Promise<Result> => {
    for (attempts = 1; ; attempts += 1) {
      try {
        return await call();
      } catch (error) {
        const failure = describeCallFailure(error);
        const delayMs =
          failure && !options.signal.aborted
            ? retryDelay(failure, attempts, options.deadline - Date.now())
            : null;
        if (failure === null || delayMs === null) throw error;
        await options.onRetry({
          attempt: attempts,
          maxAttempts: MAX_MODEL_ATTEMPTS,
          delayMs,
          failure,
        });
        await sleep(delayMs, undefined, { signal: options.signal });
      }
    }
  };
  const middleware: LanguageModelMiddleware = {
    specificationVersion: "v3",
    wrapGenerate: ({ doGenerate }) => withRetries(doGenerate),
    wrapStream: ({ doStream }) => withRetries(doStream),
  };
  return { model: wrapLanguageModel({ model, middleware }), attemptsOfLastCall: () => attempts };
}
