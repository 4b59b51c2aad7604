import "server-only";

import {
  createMcpServerInput,
  deleteMcpServerInput,
  getMcpServerInput,
  setMcpServerEnabledInput,
  testMcpConnectionInput,
  updateMcpServerInput,
} from "@/lib/schemas/mcp-servers";
import { roleAtLeast } from "@/lib/roles";
import { testMcpConnection } from "@/server/services/catalog/mcp-server-connection";
import {
  createMcpServer,
  deleteMcpServer,
  getMcpServer,
  listMcpServers,
  setMcpServerEnabled,
  updateMcpServer,
} from "@/server/services/catalog/mcp-servers";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const mcpServersRouter = createTRPCRouter({
  // Whole URLs only for those who may edit them (a URL can hold a credential).
  list: tenantProcedure.query(({ ctx }) =>
    listMcpServers(ctx.db, ctx.tenant.id, roleAtLeast(ctx.tenant.role, "admin")),
  ),

  get: tenantProcedure
    .input(getMcpServerInput)
    .query(({ ctx, input }) =>
      getMcpServer(ctx.db, ctx.tenant.id, input.mcpServerId, roleAtLeast(ctx.tenant.role, "admin")),
    ),

  create: roleProcedure("admin")
    .input(createMcpServerInput)
    .mutation(({ ctx, input }) =>
      createMcpServer(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  update: roleProcedure("admin")
    .input(updateMcpServerInput)
    .mutation(({ ctx, input }) =>
      updateMcpServer(
        ctx.db,
        { tenantId: ctx.tenant.id, mcpServerId: input.mcpServerId, audit: ctx.audit },
        input,
      ),
    ),

  setEnabled: roleProcedure("admin")
    .input(setMcpServerEnabledInput)
    .mutation(({ ctx, input }) =>
      setMcpServerEnabled(
        ctx.db,
        { tenantId: ctx.tenant.id, mcpServerId: input.mcpServerId, audit: ctx.audit },
        input.enabled,
      ),
    ),

  delete: roleProcedure("admin")
    .input(deleteMcpServerInput)
    .mutation(({ ctx, input }) =>
      deleteMcpServer(ctx.db, {
        tenantId: ctx.tenant.id,
        mcpServerId: input.mcpServerId,
        audit: ctx.audit,
      }),
    ),

  // A mutation: it reaches out to another server, and uses the saved token.
  testConnection: roleProcedure("admin")
    .input(testMcpConnectionInput)
    .mutation(({ ctx, input }) => testMcpConnection(ctx.db, ctx.tenant.id, input)),
});
