import "server-only";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";
import { env } from "@/server/env";
import type { RunStatus } from "@/lib/enums";

/**
 * Why a queued run waits: how many of the tenant's runs are executing against the per-tenant
 * concurrency the run-skill function is given (SKILLRUN_RUN_CONCURRENCY), and its place in
 * line among the tenant's queued runs, oldest first.
 */
export type QueueState = {
  /** The tenant's runs executing now. */
  running: number;
  /** How many may execute at once. */
  slots: number;
  /** 1 for the next run to start. */
  position: number;
};

/**
 * The queue state of each queued run among `runs` (other statuses have none), in one query.
 * The engine takes a tenant's queued runs in the order they were sent, which is creation order;
 * ties on `created_at` are broken by id, as the history orders them.
 */
export async function queueStates(
  db: Database,
  tenantId: string,
  runs: { id: string; status: RunStatus }[],
  slots: number = env.SKILLRUN_RUN_CONCURRENCY,
): Promise<Map<string, QueueState>> {
  const queuedIds = runs.filter((run) => run.status === "queued").map((run) => run.id);
  if (queuedIds.length === 0) return new Map();
  const ahead = alias(skillRuns, "ahead");
  const busy = alias(skillRuns, "busy");
  const aheadCount = db
    .select({ value: count() })
    .from(ahead)
    .where(
      and(
        eq(ahead.tenantId, tenantId),
        eq(ahead.status, "queued"),
        sql`(${ahead.createdAt}, ${ahead.id}) < (${skillRuns.createdAt}, ${skillRuns.id})`,
      ),
    );
  const runningCount = db
    .select({ value: count() })
    .from(busy)
    .where(and(eq(busy.tenantId, tenantId), eq(busy.status, "running")));
  const rows = await db
    .select({
      id: skillRuns.id,
      ahead: sql<number>`(${aheadCount})`.mapWith(Number),
      running: sql<number>`(${runningCount})`.mapWith(Number),
    })
    .from(skillRuns)
    .where(
      and(
        eq(skillRuns.tenantId, tenantId),
        eq(skillRuns.status, "queued"),
        inArray(skillRuns.id, queuedIds),
      ),
    );
  return new Map(
    rows.map((row) => [row.id, { running: row.running, slots, position: row.ahead + 1 }]),
  );
}
