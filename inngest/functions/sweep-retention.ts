import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import {
  SWEEP_BATCHES,
  sweepTenantRetention,
  tenantsWithRetention,
} from "@/server/services/runs/retention";

/**
 * Every 15 minutes: each tenant's retention policy, one step per tenant (one audit entry with
 * its counts). A backlog larger than one tick's share is finished by the following ticks.
 */
export function createSweepRetentionFunction(deps: { client: Inngest.Any; db: () => Database }) {
  return deps.client.createFunction(
    {
      id: "sweep-retention",
      name: "Sweep expired runs",
      retries: 0,
      // A tick while the previous tick's run is still under way is dropped, not queued behind it.
      singleton: { mode: "skip" },
      triggers: [{ cron: "*/15 * * * *" }],
    },
    async ({ step }) => {
      const tenants = await step.run("tenants", () => tenantsWithRetention(deps.db()));
      const swept = [];
      for (const tenantId of tenants)
        swept.push(
          await step.run(`sweep-${tenantId}`, () =>
            sweepTenantRetention(deps.db(), tenantId, SWEEP_BATCHES),
          ),
        );
      return { tenants: tenants.length, runsDeleted: swept.reduce((n, s) => n + s.runs, 0) };
    },
  );
}
