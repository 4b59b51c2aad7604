import "server-only";
import {
  MAX_RETRY_AFTER_SECONDS,
  modelFailureKind,
  type ModelFailureDetail,
} from "@/lib/model-failure";
import { credentialSettings } from "./models";
import { describeCallFailure } from "./model-retry";

/** A value as a short string for the timeline: JSON unless a string, cut at `max` characters. */
export const preview = (value: unknown, max = 300) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

const MODEL_FAILURE_SUMMARY = {
  credentials: "rejected the credentials",
  forbidden: "refused access to the model",
  rate_limited: "rate-limited the call",
  provider_failed: "failed",
  unreachable: "could not be reached",
  rejected: "refused the request",
} as const;

/**
 * A provider error in words an operator can act on, without request details or secrets,
 * and the facts the console's hint is built from.
 */
export function describeModelError(
  error: unknown,
  model: string,
  attempts: number,
): { reason: string; detail?: ModelFailureDetail } {
  const failure = describeCallFailure(error);
  if (!failure)
    return {
      reason: `The model call failed: ${preview(error instanceof Error ? error.message : String(error), 200)}`,
    };
  const status = failure.httpStatus === null ? "no answer" : `HTTP ${failure.httpStatus}`;
  const tries = attempts > 1 ? ` on all ${attempts} attempts` : "";
  return {
    reason: `The model provider ${MODEL_FAILURE_SUMMARY[modelFailureKind(failure.httpStatus)]} (${status})${tries}: ${preview(failure.message, 200)}`,
    detail: {
      model,
      httpStatus: failure.httpStatus,
      attempts,
      retryAfterSeconds:
        failure.retryAfterMs === null
          ? null
          : Math.min(Math.ceil(failure.retryAfterMs / 1000), MAX_RETRY_AFTER_SECONDS),
      credentialSettings: credentialSettings(model),
    },
  };
}
