import "server-only";

import { listAuditLogInput } from "@/lib/schemas/audit";
import { listAuditLog } from "@/server/services/access/audit";
import { createTRPCRouter, roleProcedure } from "../init";

export const AUDIT_PAGE_SIZE = 50;

export const auditRouter = createTRPCRouter({
  /** The tenant's audit log, newest first, a page at a time. Admins only. */
  list: roleProcedure("admin")
    .input(listAuditLogInput)
    .query(({ ctx, input }) => {
      const { cursor, ...filters } = input;
      return listAuditLog(ctx.db, ctx.tenant.id, { filters, cursor, limit: AUDIT_PAGE_SIZE });
    }),
});
