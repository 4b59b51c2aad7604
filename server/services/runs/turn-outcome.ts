import "server-only";
import type { PiiMaskCounts } from "@/server/agent/guardrail";
import { MAX_DELIVERABLE_BYTES, type TurnOutcome } from "@/server/agent/turn";
import { ZERO_USAGE, type TokenUsage } from "@/server/agent/usage";
import type { Database } from "@/server/db/client";
import { storableText } from "@/server/db/storable";
import type { RunRef } from "@/inngest/events";
import { latestRequestOf, pausedRequestOf } from "./approval-resumption";
import { liveOutputWriter, type LiveOutputWriter } from "./live-output";
import { getRunStatus, MAX_FAILURE_REASON_CHARS } from "./run-lifecycle";

/**
 * The turn's outcome after the deliverable guardrail: a deliverable it changed says what it
 * masked; a turn that paused for approval names its stored request and how long it waits.
 */
export type GuardedTurnOutcome =
  | Exclude<TurnOutcome, { kind: "complete" | "paused" }>
  | (Extract<TurnOutcome, { kind: "complete" }> & { masked?: PiiMaskCounts })
  | { kind: "awaiting_approval"; approvalId: string; timeoutSeconds: number }
  | { kind: "continued_elsewhere"; approvalId: string };

export async function withLiveOutput(
  db: Database,
  ref: RunRef,
  turn: (live: LiveOutputWriter) => Promise<GuardedTurnOutcome>,
): Promise<GuardedTurnOutcome> {
  const live = liveOutputWriter(db, ref);
  const outcome = withinStepLimits(await turn(live));
  // The deliverable exactly as `finish` stores it is the last live text.
  if (outcome.kind === "complete") await live.finish(outcome.markdown);
  else await live.close();
  return outcome;
}

/**
 * What a step that finds its turn already claimed reports. A run awaiting approval paused
 * correctly, and only the step's result was lost (the process died after the pause committed,
 * before the engine stored it): the pending request is reported again, never failed. A pause
 * that committed and was decided since (a fast approver) is the continuation's to finish: the
 * step hands the run off (`continued_elsewhere`, which `finish` leaves alone). Interrupted only
 * when no pause committed. `usage` is what the run spent before this step (a continuing step:
 * the usage stored at its pause), so `finish` never records less; `pausedSince` (a continuing
 * step: its request) leaves out the pauses before this turn.
 */
export const interruptedOrCancelled = async (
  db: Database,
  ref: RunRef,
  usage: TokenUsage = ZERO_USAGE,
  pausedSince?: { id: string; requestedAt: Date },
): Promise<GuardedTurnOutcome> => {
  const status = await getRunStatus(db, ref);
  if (status === "cancelled") return { kind: "cancelled", usage };
  if (status === "awaiting_approval") {
    const pending = await pausedRequestOf(db, ref);
    if (pending) return { kind: "awaiting_approval", ...pending };
  }
  const paused = await latestRequestOf(db, ref, pausedSince);
  if (paused) return { kind: "continued_elsewhere", approvalId: paused };
  return {
    kind: "failed",
    code: "interrupted",
    reason: "The agent turn was interrupted and is not run twice; re-run the run to try again.",
    usage,
  };
};

/**
 * The outcome within the bounds `finish` reads it with (step-results.ts): a reason built from
 * an error message is cut to size and made storable, and a deliverable that masking grew
 * past the size limit fails as the model's own oversize answer does.
 */
function withinStepLimits(outcome: GuardedTurnOutcome): GuardedTurnOutcome {
  if (outcome.kind === "failed")
    return { ...outcome, reason: storableText(outcome.reason, MAX_FAILURE_REASON_CHARS) };
  if (outcome.kind !== "complete") return outcome;
  const markdown = storableText(outcome.markdown, outcome.markdown.length);
  const bytes = Buffer.byteLength(markdown);
  if (bytes > MAX_DELIVERABLE_BYTES)
    return {
      kind: "failed",
      code: "agent_crashed",
      reason: `The deliverable is larger than 1 MB (${bytes} bytes) after masking.`,
      usage: outcome.usage,
    };
  return { ...outcome, markdown };
}
