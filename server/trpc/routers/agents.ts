import "server-only";

import { agentEffectiveConfigInput, getAgentInput } from "@/lib/schemas/agents";
import { resolveAgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { getAgent, listAgents } from "@/server/services/catalog/agents";
import { createTRPCRouter, tenantProcedure } from "../init";

export const agentsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listAgents(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getAgentInput)
    .query(({ ctx, input }) => getAgent(ctx.db, ctx.tenant.id, input.agentId)),

  effectiveConfig: tenantProcedure.input(agentEffectiveConfigInput).query(({ ctx, input }) =>
    resolveAgentRuntimeConfig(ctx.db, {
      tenantId: ctx.tenant.id,
      agentId: input.agentId,
      currentUserId: ctx.user.id,
    }),
  ),
});
