import "server-only";

import { estimateRunCostInput, updateBudgetInput } from "@/lib/schemas/budgets";
import { getBudgetStatus, updateBudget } from "@/server/services/budgets/budgets";
import { estimateRunCost } from "@/server/services/budgets/cost-estimate";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const budgetsRouter = createTRPCRouter({
  /** Every member sees how the month stands (the console's banner); admins change it. */
  status: tenantProcedure.query(({ ctx }) => getBudgetStatus(ctx.db, ctx.tenant.id)),

  update: roleProcedure("admin")
    .input(updateBudgetInput)
    .mutation(({ ctx, input }) => updateBudget(ctx.db, ctx.tenant.id, input, ctx.audit)),

  estimate: tenantProcedure.input(estimateRunCostInput).query(({ ctx, input }) =>
    estimateRunCost(ctx.db, {
      tenantId: ctx.tenant.id,
      skillId: input.skillId,
      agentId: input.agentId,
    }),
  ),
});
