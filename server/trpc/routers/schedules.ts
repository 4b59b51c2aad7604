import { z } from "zod";
import { listSchedules } from "@/server/services/schedules";
import { createTRPCRouter, tenantProcedure } from "../init";

export const schedulesRouter = createTRPCRouter({
  list: tenantProcedure.input(z.object({ skillId: z.uuid().optional() }).default({})).query(({ ctx, input }) => listSchedules(ctx.db, ctx.tenant.id, input)),
});
