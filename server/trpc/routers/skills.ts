import { listSkills } from "@/server/services/skills";
import { createTRPCRouter, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listSkills(ctx.db, ctx.tenant.id)),
});
