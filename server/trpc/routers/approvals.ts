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
import { approveRuns, decideApproval, type Decider } from "@/server/services/runs/approvals";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/** The signed-in person, as the timeline and the inbox name whoever decided. */
const deciderOf = (user: { id: string; name: string | null; email: string }): Decider => ({
  userId: user.id,
  label: user.name || user.email,
});

/** Approve or reject one run's pending request: the same procedure but for its input. */
const decide = <Decision extends "approve" | "reject">(
  decision: Decision,
  input: Decision extends "approve" ? typeof approveRunInput : typeof rejectRunInput,
) =>
  roleProcedure("operator")
    .input(input)
    .mutation(({ ctx, input }) =>
      decideApproval(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        {
          tenantId: ctx.tenant.id,
          runId: input.runId,
          decision,
          reason: input.reason || null,
          seen: { approvalId: input.approvalId },
          decider: deciderOf(ctx.user),
          audit: ctx.audit,
        },
      ),
    );

/** The Approvals inbox: viewers see what waits, operators and above decide. */
export const approvalsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listPendingApprovals(ctx.db, ctx.tenant.id)),
  count: tenantProcedure.query(({ ctx }) => countPendingApprovals(ctx.db, ctx.tenant.id)),
  forRun: tenantProcedure
    .input(pendingApprovalInput)
    .query(({ ctx, input }) =>
      pendingApprovalOf(ctx.db, { tenantId: ctx.tenant.id, runId: input.runId }),
    ),
  approve: decide("approve", approveRunInput),
  /** The reason is required by the input: the model (or the run's failure) is told why. */
  reject: decide("reject", rejectRunInput),
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
          decider: deciderOf(ctx.user),
          audit: ctx.audit,
        },
      ),
    ),
});
