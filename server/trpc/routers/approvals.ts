import {
  approveRunInput,
  approveRunsInput,
  pendingApprovalInput,
  rejectRunInput,
} from "@/lib/schemas/approvals";
import {
  countPendingApprovals,
  listPendingApprovals,
  pendingApprovalOf,
} from "@/server/services/runs/approval-queries";
import { approveRuns, decideApproval } from "@/server/services/runs/approvals";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/** The Approvals inbox: viewers see what waits, operators and above decide. */
export const approvalsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listPendingApprovals(ctx.db, ctx.tenant.id)),
  count: tenantProcedure.query(({ ctx }) => countPendingApprovals(ctx.db, ctx.tenant.id)),
  forRun: tenantProcedure
    .input(pendingApprovalInput)
    .query(({ ctx, input }) =>
      pendingApprovalOf(ctx.db, { tenantId: ctx.tenant.id, runId: input.runId }),
    ),
  approve: roleProcedure("operator")
    .input(approveRunInput)
    .mutation(({ ctx, input }) =>
      decideApproval(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        {
          tenantId: ctx.tenant.id,
          runId: input.runId,
          decision: "approve",
          reason: input.reason || null,
          seen: { approvalId: input.approvalId },
          decider: { userId: ctx.user.id, label: ctx.user.name || ctx.user.email },
          audit: ctx.audit,
        },
      ),
    ),
  reject: roleProcedure("operator")
    .input(rejectRunInput)
    .mutation(({ ctx, input }) =>
      decideApproval(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        {
          tenantId: ctx.tenant.id,
          runId: input.runId,
          decision: "reject",
          reason: input.reason,
          seen: { approvalId: input.approvalId },
          decider: { userId: ctx.user.id, label: ctx.user.name || ctx.user.email },
          audit: ctx.audit,
        },
      ),
    ),
  /** Each run its own decision: one already decided or ended is reported, the rest go on. */
  approveMany: roleProcedure("operator")
    .input(approveRunsInput)
    .mutation(({ ctx, input }) =>
      approveRuns(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        {
          tenantId: ctx.tenant.id,
          runIds: input.runIds,
          actionKey: input.actionKey,
          decider: { userId: ctx.user.id, label: ctx.user.name || ctx.user.email },
          audit: ctx.audit,
        },
      ),
    ),
});
