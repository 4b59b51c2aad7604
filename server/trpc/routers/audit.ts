import "server-only";
import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES } from "@/lib/enums";
import { listAuditLog } from "@/server/services/access/audit";
import { createTRPCRouter, roleProcedure } from "../init";

export const AUDIT_PAGE_SIZE = 50;

export const auditRouter = createTRPCRouter({
  /** The tenant's audit log, newest first, a page at a time. Admins only. */
  list: roleProcedure("admin")
    .input(
      z.object({
        actions: z.array(z.enum(AUDIT_ACTIONS)).max(AUDIT_ACTIONS.length).optional(),
        actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
        targetId: z.string().min(1).max(200).optional(),
        from: z.date().optional(),
        to: z.date().optional(),
        cursor: z.object({ id: z.number().int().positive() }).nullish(),
      }),
    )
    .query(({ ctx, input }) => {
      const { cursor, ...filters } = input;
      return listAuditLog(ctx.db, ctx.tenant.id, { filters, cursor, limit: AUDIT_PAGE_SIZE });
    }),
});
