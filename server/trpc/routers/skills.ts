import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getSkill, listSkills } from "@/server/services/catalog/skills";
import { createTRPCRouter, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(z.object({ slug: z.string().min(1).max(200) }))
    .query(async ({ ctx, input }) => {
      const skill = await getSkill(ctx.db, ctx.tenant.id, input.slug);
      if (!skill)
        throw new TRPCError({ code: "NOT_FOUND", message: `Skill "${input.slug}" was not found.` });
      return skill;
    }),
});
