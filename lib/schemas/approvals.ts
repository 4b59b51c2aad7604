import { z } from "zod";

/** The longest reason a decision keeps (a readable paragraph). */
export const MAX_DECISION_REASON_CHARS = 1_800;

const runId = z.object({ runId: z.uuid() });
const reason = z
  .string()
  .trim()
  .max(MAX_DECISION_REASON_CHARS, `must be at most ${MAX_DECISION_REASON_CHARS} characters`);

/**
 * A decision names the request the person saw: a run that was approved, went on and paused
 * again on another action is not decided by a click on the old one.
 */
const decidedRequest = runId.extend({ approvalId: z.uuid() });
export const approveRunInput = decidedRequest.extend({ reason: reason.optional() });
/** A rejection always says why: the model (or the run's failure) is told. */
export const rejectRunInput = decidedRequest.extend({ reason: reason.min(1, "is required") });
/**
 * Bulk approve: the same decision on several runs, each its own compare-and-set, and only while
 * each still waits on the action the person saw (its action key).
 */
export const approveRunsInput = z.object({
  runIds: z.array(z.uuid()).min(1, "name at least one run").max(100),
  actionKey: z.string().min(1).max(500),
});
export const pendingApprovalInput = runId;

/**
 * The REST bodies: approve takes `{}` or a note, reject requires the reason. `approvalId` (from
 * the run's pending approval) decides only that request; without it, whatever the run waits on.
 */
const restDecision = z.object({ approvalId: z.uuid().optional() });
export const ApproveRunRequest = restDecision.extend({ reason: reason.optional() }).strict();
export const RejectRunRequest = restDecision
  .extend({ reason: reason.min(1, "is required") })
  .strict();
