import { z } from "zod";
import { getSkill, listSkills } from "@/server/services/catalog/skills";
import { createTRPCRouter, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(z.object({ slug: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => getSkill(ctx.db, ctx.tenant.id, input.slug)),
});
