import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import { resendLostBulkOperations } from "@/server/services/runs/bulk-resend";
import { reconcileRuns } from "@/server/services/runs/reconcile";
import type { RunDispatcher } from "@/server/services/runs/runs";

/**
 * Every minute: the reconciler (stale running, lost queued, one resend), then the events of bulk
 * operations still queued after a minute sent again.
 */
export function createReconcileRunsFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  dispatcher: RunDispatcher;
}) {
  return deps.client.createFunction(
    {
      id: "reconcile-runs",
      name: "Reconcile runs",
      retries: 0,
      // A tick while the previous tick's run is still under way is dropped, not queued behind it.
      singleton: { mode: "skip" },
      triggers: [{ cron: "* * * * *" }],
    },
    async ({ step }) => {
      const runs = await step.run("reconcile", () =>
        reconcileRuns(
          { db: deps.db(), dispatcher: deps.dispatcher },
          {
            staleRunningMs: env.RUN_STALE_AFTER_SECONDS * 1000,
            dispatchRetryMs: env.RUN_DISPATCH_RETRY_AFTER_SECONDS * 1000,
            dispatchLostMs: env.RUN_DISPATCH_LOST_AFTER_SECONDS * 1000,
            batchSize: 200,
          },
        ),
      );
      const bulkOperationsResent = await step.run("resend-bulk-operations", () =>
        resendLostBulkOperations({ db: deps.db(), dispatcher: deps.dispatcher }),
      );
      return { ...runs, bulkOperationsResent };
    },
  );
}
