import "server-only";

import {
  feedbackRollupInput,
  runFeedbackInput,
  setRunFeedbackInput,
} from "@/lib/schemas/run-feedback";
import {
  feedbackRollup,
  getRunFeedback,
  setRunFeedback,
} from "@/server/services/runs/run-feedback";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/** 👍/👎 on complete runs: every member reads it, operators and above give it. */
export const runFeedbackRouter = createTRPCRouter({
  get: tenantProcedure
    .input(runFeedbackInput)
    .query(({ ctx, input }) => getRunFeedback(ctx.db, ctx.tenant.id, input.runId, ctx.user.id)),

  set: roleProcedure("operator")
    .input(setRunFeedbackInput)
    .mutation(({ ctx, input }) =>
      setRunFeedback(ctx.db, { ...input, tenantId: ctx.tenant.id, userId: ctx.user.id }, ctx.audit),
    ),

  rollup: tenantProcedure
    .input(feedbackRollupInput)
    .query(({ ctx, input }) => feedbackRollup(ctx.db, ctx.tenant.id, input)),
});
