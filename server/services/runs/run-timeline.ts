import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import { jsonbParam } from "@/server/db/jsonb";
import { runEvents, skillRuns } from "@/server/db/schema";
import type { RunStatus } from "@/server/db/schema/enums";
import type { RunRef } from "@/inngest/events";
type RunUpdate = Parameters<ReturnType<Database["update"]>["set"]>[0] &
  Partial<typeof skillRuns.$inferInsert>;

export function appendRunEvent(
  tx: Database | Transaction,
  event: { runId: string; tenantId: string; type: string; payload?: Record<string, unknown> },
) {
  return tx.insert(runEvents).values({
    runId: event.runId,
    tenantId: event.tenantId,
    type: event.type,
    payload: event.payload ?? {},
  });
}

/**
 * A compare-and-set on the run's status and its timeline event, as one statement (a
 * writable CTE): the event exists exactly when the transition happened. False when the run
 * was not in one of `from` (or is another tenant's).
 */
export async function transitionRun(
  db: Database | Transaction,
  ref: RunRef,
  change: {
    from: RunStatus[];
    set: RunUpdate;
    event: { type: string; payload?: Record<string, unknown> };
    where?: SQL;
  },
): Promise<boolean> {
  const update = db
    .update(skillRuns)
    .set(change.set)
    .where(
      and(
        eq(skillRuns.id, ref.runId),
        eq(skillRuns.tenantId, ref.tenantId),
        inArray(skillRuns.status, change.from),
        change.where,
      ),
    )
    .returning({ id: skillRuns.id });
  const rows = await db.execute<{ run_id: string }>(sql`
    with updated as (${update.getSQL()})
    insert into ${runEvents} (run_id, tenant_id, type, payload)
    select id, ${ref.tenantId}, ${change.event.type}, ${jsonbParam(change.event.payload ?? {})} from updated
    returning run_id`);
  return rows.length > 0;
}
