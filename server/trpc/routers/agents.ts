import "server-only";

import {
  agentEffectiveConfigInput,
  createAgentInput,
  deleteAgentInput,
  duplicateAgentInput,
  getAgentInput,
  previewAgentConfigInput,
  setDefaultAgentInput,
  updateAgentInput,
} from "@/lib/schemas/agents";
import { resolveAgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { previewAgentConfig } from "@/server/services/catalog/agent-preview";
import {
  createAgent,
  deleteAgent,
  duplicateAgent,
  setDefaultAgent,
  updateAgent,
} from "@/server/services/catalog/agent-writes";
import { agentFormOptions, getAgent, listAgents } from "@/server/services/catalog/agents";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

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

  /** What the editor offers: the tenant's templates, skills, MCP servers, knowledge bases, members. */
  formOptions: roleProcedure("admin").query(({ ctx }) => agentFormOptions(ctx.db, ctx.tenant.id)),

  /** The saved config next to the draft's; writes nothing. */
  previewConfig: roleProcedure("admin")
    .input(previewAgentConfigInput)
    .query(({ ctx, input }) =>
      previewAgentConfig(ctx.db, {
        tenantId: ctx.tenant.id,
        agentId: input.agentId,
        draft: input.draft,
      }),
    ),

  create: roleProcedure("admin")
    .input(createAgentInput)
    .mutation(({ ctx, input }) =>
      createAgent(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  update: roleProcedure("admin")
    .input(updateAgentInput)
    .mutation(({ ctx, input }) =>
      updateAgent(
        ctx.db,
        { tenantId: ctx.tenant.id, agentId: input.agentId, audit: ctx.audit },
        input.agent,
      ),
    ),

  duplicate: roleProcedure("admin")
    .input(duplicateAgentInput)
    .mutation(({ ctx, input }) =>
      duplicateAgent(ctx.db, { tenantId: ctx.tenant.id, agentId: input.agentId, audit: ctx.audit }),
    ),

  delete: roleProcedure("admin")
    .input(deleteAgentInput)
    .mutation(({ ctx, input }) =>
      deleteAgent(ctx.db, { tenantId: ctx.tenant.id, agentId: input.agentId, audit: ctx.audit }),
    ),

  setDefault: roleProcedure("admin")
    .input(setDefaultAgentInput)
    .mutation(({ ctx, input }) =>
      setDefaultAgent(ctx.db, {
        tenantId: ctx.tenant.id,
        agentId: input.agentId,
        audit: ctx.audit,
      }),
    ),
});
