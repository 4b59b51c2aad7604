import "server-only";
import { z } from "zod";
import { MEMBER_ROLES } from "@/lib/enums";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/services/access/api-keys";
import { createTRPCRouter, roleProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

export const apiKeysRouter = createTRPCRouter({
  list: roleProcedure("admin").query(({ ctx }) => listApiKeys(ctx.db, ctx.tenant.id)),

  /** Answers the key itself: shown once, never stored. */
  create: roleProcedure("admin")
    .input(
      z.object({
        name: z.string().trim().min(1, "is required").max(100),
        role: z.enum(MEMBER_ROLES),
      }),
    )
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
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
    ),

  revoke: roleProcedure("admin")
    .input(z.object({ keyId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        revokeApiKey(ctx.db, { tenantId: ctx.tenant.id, keyId: input.keyId, audit: ctx.audit }),
      ),
    ),
});
