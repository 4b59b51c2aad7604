import "server-only";

import { getSkillInput } from "@/lib/schemas/skills";
import { getSkill, listSkills } from "@/server/services/catalog/skills";
import { createTRPCRouter, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getSkillInput)
    .query(({ ctx, input }) => getSkill(ctx.db, ctx.tenant.id, input.slug)),
});
