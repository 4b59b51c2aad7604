import "server-only";

import { retentionPolicyInput } from "@/lib/schemas/retention";
import {
  getRetentionPolicy,
  previewRetention,
  updateRetentionPolicy,
} from "@/server/services/runs/retention";
import { createTRPCRouter, roleProcedure } from "../init";

/** The tenant's retention policy: admins read it, dry-run a change and save it. */
export const retentionRouter = createTRPCRouter({
  policy: roleProcedure("admin").query(({ ctx }) => getRetentionPolicy(ctx.db, ctx.tenant.id)),

  /** What a sweep with this policy would delete and clear now; changes nothing. */
  preview: roleProcedure("admin")
    .input(retentionPolicyInput)
    .query(({ ctx, input }) => previewRetention(ctx.db, ctx.tenant.id, input)),

  update: roleProcedure("admin")
    .input(retentionPolicyInput)
    .mutation(({ ctx, input }) => updateRetentionPolicy(ctx.db, ctx.tenant.id, input, ctx.audit)),
});
