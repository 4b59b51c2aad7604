import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { foldFinishedRunsBacklog } from "@/server/services/runs/run-rollup";

/**
 * Every minute: counts the runs that finished since the last tick into the dashboard's hourly
 * rollup, 5,000 a statement, at most 100,000 a tick (a backlog takes several ticks). Until a run
 * is counted the dashboard reads it from skill_runs, so a late or skipped tick makes the
 * dashboard slower, never wrong.
 */
export function createFoldRunRollupFunction(deps: { client: Inngest.Any; db: () => Database }) {
  return deps.client.createFunction(
    {
      id: "fold-run-rollup",
      name: "Fold finished runs into the dashboard rollup",
      retries: 0,
      // A tick while the previous tick's run is still under way is dropped, not queued behind it.
      singleton: { mode: "skip" },
      triggers: [{ cron: "* * * * *" }],
    },
    async ({ step }) =>
      step.run("fold", async () => ({
        folded: await foldFinishedRunsBacklog(deps.db(), { batchSize: 5_000, maxBatches: 20 }),
      })),
  );
}
