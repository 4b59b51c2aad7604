import "server-only";
import type { ModelResolver } from "@/server/agent/models";
import { ZERO_USAGE } from "@/server/agent/usage";
import type { Database } from "@/server/db/client";
import type { RunRef } from "@/inngest/events";
import { claimResumption, expireApproval, loadApproval } from "./approval-resumption";
import { runTurnOnce } from "./run-turn";
import { interruptedOrCancelled, withLiveOutput, type GuardedTurnOutcome } from "./turn-outcome";

/**
 * Continues a run after the decision on its approval request (the step after the wait): the
 * request is claimed once, so a re-executed step never repeats the tool or a model call. A
 * request still undecided when the wait ended expires and fails the run (approval_timeout). A
 * deliverable approved completes the run with the draft, rejected fails it with the reason; a
 * tool call approved runs and the model goes on, refused, the model is told so and why. Null:
 * another engine run already continued the run (claimed the decision), so this one must write
 * nothing. The same engine run (`invocation`) executing its step again (its result was lost)
 * carries on: the turn is not run twice, so it reports what the run is now (paused again:
 * the pending request; else interrupted or cancelled) and its function finishes the run.
 */
export async function resumeTurn(
  db: Database,
  ref: RunRef,
  resolveModel: ModelResolver,
  approvalId: string,
  trigger: "decision" | "timeout",
  invocation: string,
): Promise<GuardedTurnOutcome | null> {
  const approval = await loadApproval(db, ref, approvalId);
  if (!approval)
    return {
      kind: "failed",
      code: "agent_crashed",
      reason: "The run's approval request is missing.",
      usage: ZERO_USAGE,
    };
  const { usage } = approval;
  if (approval.state === "pending") {
    // Only the timeout expires a request; a decision's event always follows its commit.
    if (trigger === "decision") return null;
    // A decision that won the race against the timeout is honoured, not failed.
    if (!(await expireApproval(db, ref, approvalId)))
      return resumeTurn(db, ref, resolveModel, approvalId, trigger, invocation);
  }
  if (approval.state === "pending" || approval.state === "expired") {
    const what =
      approval.kind === "deliverable"
        ? "the deliverable"
        : approval.toolCalls.map((call) => call.toolName).join(", ");
    return {
      kind: "failed",
      code: "approval_timeout",
      reason: `Nobody approved or rejected ${what} before its approval timed out (${approval.expiresAt.toISOString()}).`,
      usage,
    };
  }
  if (approval.state === "cancelled") return { kind: "cancelled", usage };
  // Continued by the other invocation (the decision's event and the timeout both start one),
  // or by this one in an execution whose result was lost.
  const claimedBy = async (resumedBy: string | null) =>
    resumedBy === invocation ? interruptedOrCancelled(db, ref, usage, approval) : null;
  if (approval.resumedAt) return claimedBy(approval.resumedBy);
  if (!(await claimResumption(db, ref, approvalId, invocation))) {
    const again = await loadApproval(db, ref, approvalId);
    return again?.resumedAt
      ? claimedBy(again.resumedBy)
      : interruptedOrCancelled(db, ref, usage, approval);
  }
  const approved = approval.state === "approved";
  const decidedBy = approval.decidedBy ?? "an operator";
  if (approval.kind === "deliverable") {
    if (approved && approval.draft) return { kind: "complete", markdown: approval.draft, usage };
    return {
      kind: "failed",
      code: "deliverable_rejected",
      reason: `${decidedBy} rejected the deliverable: ${approval.reason ?? "no reason given"}`,
      usage,
    };
  }
  const { costUsd: _priced, ...tokens } = usage;
  return withLiveOutput(db, ref, (live) =>
    runTurnOnce(db, ref, resolveModel, live, {
      claim: async () => true,
      resume: {
        conversation: approval.conversation,
        usage: tokens,
        stepsUsed: approval.stepsUsed,
        approvalIds: approval.toolCalls.map((call) => call.approvalId),
        approved,
        ...(approved
          ? {}
          : {
              reason: `The action was refused by ${decidedBy}, who reviewed it: ${approval.reason ?? "no reason given"}. Do not try it again; go on without it.`,
            }),
      },
    }),
  );
}
