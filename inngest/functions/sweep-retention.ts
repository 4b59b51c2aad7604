import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import {
  SWEEP_BATCHES,
  sweepTenantsRetention,
  tenantsWithRetention,
} from "@/server/services/runs/retention";

/**
 * Tenants a step sweeps: a step per tenant would pass Inngest's limit of steps per function
 * run (1,000) with many tenants; 50 a step keeps that limit 50,000 tenants away.
 */
export const TENANTS_PER_STEP = 50;

/**
 * Every 15 minutes: each tenant's retention policy (one audit entry per tenant with its counts),
 * TENANTS_PER_STEP tenants a step. A backlog larger than one tick's share is finished by the
 * following ticks.
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
      let runsDeleted = 0;
      for (let start = 0; start < tenants.length; start += TENANTS_PER_STEP) {
        const chunk = tenants.slice(start, start + TENANTS_PER_STEP);
        const swept = await step.run(`sweep-${start / TENANTS_PER_STEP}`, () =>
          sweepTenantsRetention(deps.db(), chunk, SWEEP_BATCHES),
        );
        runsDeleted += swept.runs;
      }
      return { tenants: tenants.length, runsDeleted };
    },
  );
}
