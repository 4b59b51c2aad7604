import "server-only";

import {
  bulkOperationIdInput,
  countMatchingRunsInput,
  startBulkOperationInput,
} from "@/lib/schemas/bulk-operations";
import {
  cancelBulkOperation,
  countMatchingRuns,
  MAX_BULK_RUNS,
  listRecentBulkOperations,
  startBulkOperation,
} from "@/server/services/runs/bulk-operations";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/**
 * "Cancel all matching" and "Re-run all matching" on the run history: operators start and
 * cancel them; every member sees their progress.
 */
export const bulkOperationsRouter = createTRPCRouter({
  /**
   * How many runs the operation would act on now: the confirmation's count, counted up to one
   * past `max` (above it, "more than max"). Operators only: it is the start's first step.
   */
  count: roleProcedure("operator")
    .input(countMatchingRunsInput)
    .query(async ({ ctx, input }) => ({
      count: await countMatchingRuns(ctx.db, ctx.tenant.id, input.kind, input.filters),
      max: MAX_BULK_RUNS,
    })),

  start: roleProcedure("operator")
    .input(startBulkOperationInput)
    .mutation(({ ctx, input }) =>
      startBulkOperation(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        { tenantId: ctx.tenant.id, userId: ctx.user.id },
        input,
        ctx.audit,
      ),
    ),

  cancel: roleProcedure("operator")
    .input(bulkOperationIdInput)
    .mutation(({ ctx, input }) =>
      cancelBulkOperation(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id },
        input.operationId,
        ctx.audit,
      ),
    ),

  recent: tenantProcedure.query(({ ctx }) => listRecentBulkOperations(ctx.db, ctx.tenant.id)),
});
