import "server-only";

import { dashboardInput } from "@/lib/schemas/dashboard";
import { dashboardOverview } from "@/server/services/dashboard/dashboard";
import { createTRPCRouter, tenantProcedure } from "../init";

export const dashboardRouter = createTRPCRouter({
  /** The console's home: how the tenant's runs went over a window. Every member may read it. */
  overview: tenantProcedure
    .input(dashboardInput)
    .query(({ ctx, input }) => dashboardOverview(ctx.db, ctx.tenant.id, input)),
});
