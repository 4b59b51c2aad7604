import { TRPCError } from "@trpc/server";
import { getSkillInput } from "@/lib/schemas/skills";
import { getSkill, listSkills } from "@/server/services/catalog/skills";
import { createTRPCRouter, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),

  get: tenantProcedure.input(getSkillInput).query(async ({ ctx, input }) => {
    const skill = await getSkill(ctx.db, ctx.tenant.id, input.slug);
    if (!skill)
      throw new TRPCError({ code: "NOT_FOUND", message: `Skill "${input.slug}" was not found.` });
    return skill;
  }),
});
