import "server-only";

import { createApiKeyInput, revokeApiKeyInput } from "@/lib/schemas/api-keys";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/services/access/api-keys";
import { createTRPCRouter, roleProcedure } from "../init";

export const apiKeysRouter = createTRPCRouter({
  list: roleProcedure("admin").query(({ ctx }) => listApiKeys(ctx.db, ctx.tenant.id)),

  /** Answers the key itself: shown once, never stored. */
  create: roleProcedure("admin")
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) =>
      createApiKey(
        ctx.db,
        {
          tenantId: ctx.tenant.id,
          userId: ctx.user.id,
          userRole: ctx.tenant.role,
          audit: ctx.audit,
        },
        input,
      ),
    ),

  revoke: roleProcedure("admin")
    .input(revokeApiKeyInput)
    .mutation(({ ctx, input }) =>
      revokeApiKey(ctx.db, { tenantId: ctx.tenant.id, keyId: input.keyId, audit: ctx.audit }),
    ),
});
