import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { skillRuns, tenants } from "@/server/db/schema";

export type QueueHealth = {
  /** Seconds the oldest `queued` run of any tenant has waited; null when none waits. */
  oldestQueuedSeconds: number | null;
  /** Seconds since the most recent start among `running` runs; null when none runs. */
  newestRunningSeconds: number | null;
};

/** Exported for the test that proves the plan index-only. */
export const QUEUE_HEALTH_QUERY = sql`
    select
      (select extract(epoch from now() - min(oldest.created_at))::float8
         from ${tenants} as tenant
         cross join lateral (
           select queued.created_at from ${skillRuns} as queued
           where queued.tenant_id = tenant.id and queued.status = 'queued'
           order by queued.created_at asc limit 1
         ) as oldest) as oldest_queued_seconds,
      (select extract(epoch from now() - max(running.started_at))::float8
         from ${skillRuns} as running where running.status = 'running') as newest_running_seconds`;

/**
 * How long the execution plane has left work waiting, across tenants, for /api/health. Both
 * are index-only reads, however many runs the history holds: the oldest queued run is one
 * backward probe of `skill_runs_status_idx` (tenant, status, created_at) per tenant, and the
 * newest running start one of `skill_runs_reconcile_idx` (status, started_at). Ages are taken
 * on the database's clock, the one that stamped the rows. Tenant-agnostic by design: it
 * answers a monitor, never names a tenant or a run.
 */
export async function queueHealth(db: Database): Promise<QueueHealth> {
  const [row] = await db.execute<{
    oldest_queued_seconds: number | null;
    newest_running_seconds: number | null;
  }>(QUEUE_HEALTH_QUERY);
  const seconds = (value: number | null | undefined) =>
    value === null || value === undefined ? null : Math.max(0, Math.floor(Number(value)));
  return {
    oldestQueuedSeconds: seconds(row?.oldest_queued_seconds),
    newestRunningSeconds: seconds(row?.newest_running_seconds),
  };
}
