import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { processBulkBatch } from "@/server/services/runs/bulk-batch";
import { failBulkOperation } from "@/server/services/runs/bulk-operations";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { bulkOperationRefSchema, bulkOperationRequested } from "../events";

/**
 * "Cancel/Re-run all matching": one step per batch of the operation's frozen match set, each
 * one `processBulkBatch` call. A step is safe to repeat (the batch's cursor moves in the batch's
 * own transaction), so the function retries; when it gives up, the operation is failed (the
 * cause logged, a generic reason on the row) and every batch already committed stays done.
 */
export function createProcessBulkOperationFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  dispatcher: RunDispatcher;
}) {
  return deps.client.createFunction(
    {
      id: "process-bulk-operation",
      name: "Process a bulk operation",
      retries: 3,
      triggers: [bulkOperationRequested],
      // One step at a time per tenant: the embedded engine holds a slot only while a request
      // executes, so two operations of a tenant interleave step by step rather than one waiting
      // for the other to end. Correctness does not rest on it: each batch locks its operation's
      // row, and a run's cancel or re-run is a CAS / keyed insert.
      concurrency: { limit: 1, key: "event.data.tenantId" },
      onFailure: async ({ event, error }) => {
        const ref = bulkOperationRefSchema.parse(event.data.event.data);
        await failBulkOperation(deps.db(), ref, error);
      },
    },
    async ({ event, step }) => {
      for (let batch = 0; ; batch++) {
        const result = await step.run(`batch-${batch}`, () =>
          processBulkBatch({ db: deps.db(), dispatcher: deps.dispatcher }, event.data),
        );
        if (result.finished) return { batches: batch };
      }
    },
  );
}
