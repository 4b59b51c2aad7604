import { z } from "zod";

/** The longest reason a decision keeps (a readable paragraph). */
export const MAX_DECISION_REASON_CHARS = 1_800;

const runId = z.object({ runId: z.uuid() });
const reason = z
  .string()
  .trim()
  .max(MAX_DECISION_REASON_CHARS, `must be at most ${MAX_DECISION_REASON_CHARS} characters`);

export const approveRunInput = runId.extend({ reason: reason.optional() });
/** A rejection always says why: the model (or the run's failure) is told. */
export const rejectRunInput = runId.extend({ reason: reason.min(1, "is required") });
/** Bulk approve: the same decision on several runs, each its own compare-and-set. */
export const approveRunsInput = z.object({
  runIds: z.array(z.uuid()).min(1, "name at least one run").max(100),
});
export const pendingApprovalInput = runId;

/** The REST bodies: approve takes `{}` or a note, reject requires the reason. */
export const ApproveRunRequest = z.object({ reason: reason.optional() }).strict();
export const RejectRunRequest = z.object({ reason: reason.min(1, "is required") }).strict();
