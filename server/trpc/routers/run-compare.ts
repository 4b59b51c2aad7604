import "server-only";

import { compareRunsInput } from "@/lib/schemas/run-compare";
import { compareRuns } from "@/server/services/runs/run-compare";
import { createTRPCRouter, tenantProcedure } from "../init";

/** Two runs of one skill side by side; reading only, so every member may. */
export const runCompareRouter = createTRPCRouter({
  get: tenantProcedure
    .input(compareRunsInput)
    .query(({ ctx, input }) => compareRuns(ctx.db, ctx.tenant.id, input)),
});
