import "server-only";

import { retryRunDeliveryInput, runDeliveriesInput } from "@/lib/schemas/run-deliveries";
import { listRunDeliveries, retryRunDelivery } from "@/server/services/deliveries/log";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/** Where a run's result went: every member reads the log, operators and above retry a failure. */
export const runDeliveriesRouter = createTRPCRouter({
  list: tenantProcedure
    .input(runDeliveriesInput)
    .query(({ ctx, input }) => listRunDeliveries(ctx.db, ctx.tenant.id, input.runId)),

  retry: roleProcedure("operator")
    .input(retryRunDeliveryInput)
    .mutation(({ ctx, input }) =>
      retryRunDelivery(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input.deliveryId),
    ),
});
