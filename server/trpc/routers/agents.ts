import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { resolveAgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { listAgents } from "@/server/services/catalog/agents";
import { createTRPCRouter, tenantProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

export const agentsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listAgents(ctx.db, ctx.tenant.id)),

  get: tenantProcedure.input(z.object({ agentId: z.uuid() })).query(async ({ ctx, input }) => {
    const agent = (await listAgents(ctx.db, ctx.tenant.id)).find(
      (candidate) => candidate.id === input.agentId,
    );
    if (!agent)
      throw new TRPCError({ code: "NOT_FOUND", message: `Agent ${input.agentId} was not found.` });
    return agent;
  }),

  effectiveConfig: tenantProcedure.input(z.object({ agentId: z.uuid() })).query(({ ctx, input }) =>
    mapServiceErrors(() =>
      resolveAgentRuntimeConfig(ctx.db, {
        tenantId: ctx.tenant.id,
        agentId: input.agentId,
        currentUserId: ctx.user.id,
      }),
    ),
  ),
});
