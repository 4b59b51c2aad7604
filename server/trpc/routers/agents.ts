import { TRPCError } from "@trpc/server";
import { agentEffectiveConfigInput, getAgentInput } from "@/lib/schemas/agents";
import { resolveAgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { listAgents } from "@/server/services/catalog/agents";
import { createTRPCRouter, tenantProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

export const agentsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listAgents(ctx.db, ctx.tenant.id)),

  get: tenantProcedure.input(getAgentInput).query(async ({ ctx, input }) => {
    const agent = (await listAgents(ctx.db, ctx.tenant.id)).find(
      (candidate) => candidate.id === input.agentId,
    );
    if (!agent)
      throw new TRPCError({ code: "NOT_FOUND", message: `Agent ${input.agentId} was not found.` });
    return agent;
  }),

  effectiveConfig: tenantProcedure.input(agentEffectiveConfigInput).query(({ ctx, input }) =>
    mapServiceErrors(() =>
      resolveAgentRuntimeConfig(ctx.db, {
        tenantId: ctx.tenant.id,
        agentId: input.agentId,
        currentUserId: ctx.user.id,
      }),
    ),
  ),
});
