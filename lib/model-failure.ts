/**
 * What a `model_error` failure records beyond its reason: the facts an operator's next step
 * depends on. Plain data shared by the server (which writes it on the run) and the console
 * (which turns it into the "What to do" line).
 */
export type ModelFailureDetail = {
  model: string;
  /** The provider's HTTP status; null when no answer came back (refused connection, reset). */
  httpStatus: number | null;
  /** Attempts of the call that failed (transient failures are retried inside the turn). */
  attempts: number;
  /** How long the provider asked to wait before trying again, when it said. */
  retryAfterSeconds: number | null;
  /** The settings that hold this provider's credentials, e.g. OPENAI_API_KEY. */
  credentialSettings: string[];
};

/** A provider's Retry-After past a year is recorded as a year: the number stays within bounds a reader can check. */
export const MAX_RETRY_AFTER_SECONDS = 365 * 24 * 60 * 60;

export const MODEL_FAILURE_KINDS = [
  "credentials",
  "forbidden",
  "rate_limited",
  "provider_failed",
  "unreachable",
  "rejected",
] as const;
export type ModelFailureKind = (typeof MODEL_FAILURE_KINDS)[number];

export function modelFailureKind(httpStatus: number | null): ModelFailureKind {
  if (httpStatus === null) return "unreachable";
  if (httpStatus === 401) return "credentials";
  if (httpStatus === 403) return "forbidden";
  if (httpStatus === 429) return "rate_limited";
  if (httpStatus >= 500) return "provider_failed";
  return "rejected";
}
