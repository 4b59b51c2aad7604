import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import { jsonbParam } from "@/server/db/jsonb";
import { runEvents, skillRuns } from "@/server/db/schema";
import type { RunStatus } from "@/server/db/schema/enums";
import type { TurnCall } from "@/server/agent/turn-calls";
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

const whereRun = (ref: RunRef) =>
  and(eq(skillRuns.id, ref.runId), eq(skillRuns.tenantId, ref.tenantId));

/**
 * Marks a call of the running turn as in progress; returns when it started by the database's
 * clock (the clock of every timeline time), or null when the run is no longer running.
 */
export async function startCall(db: Database, ref: RunRef, call: TurnCall): Promise<Date | null> {
  const [row] = await db
    .update(skillRuns)
    .set({
      activeCalls: sql`${skillRuns.activeCalls} || jsonb_build_object(${call.id}::text, jsonb_build_object('kind', ${call.kind}::text, 'name', ${call.name}::text, 'startedAt', now()))`,
    })
    .where(and(whereRun(ref), eq(skillRuns.status, "running")))
    .returning({ startedAt: sql<Date>`now()`.mapWith(runEvents.at) });
  return row?.startedAt ?? null;
}

/** The call is no longer in progress (a model call answered or failed). */
export async function settleCall(db: Database, ref: RunRef, callId: string): Promise<void> {
  await db
    .update(skillRuns)
    .set({ activeCalls: sql`${skillRuns.activeCalls} - ${callId}::text` })
    .where(whereRun(ref));
}

/**
 * A finished call's event, with when the call started, and the end of its in-progress entry,
 * as one statement: the timeline never shows a call both in progress and done.
 */
export async function recordCall(
  db: Database,
  ref: RunRef,
  call: { id: string; startedAt: Date | null; type: string; payload: Record<string, unknown> },
): Promise<void> {
  const settle = db
    .update(skillRuns)
    .set({ activeCalls: sql`${skillRuns.activeCalls} - ${call.id}::text` })
    .where(whereRun(ref))
    .returning({ id: skillRuns.id });
  await db.execute(sql`
    with settled as (${settle.getSQL()})
    insert into ${runEvents} (run_id, tenant_id, type, payload, started_at)
    select id, ${ref.tenantId}, ${call.type}, ${jsonbParam(call.payload)}, ${call.startedAt?.toISOString() ?? null}::timestamptz from settled`);
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

/**
 * `transitionRun` for many runs of one tenant in one statement: each run in `from` moves and
 * gets its event, the others are left alone. The ids of the runs that moved.
 */
export async function transitionRuns(
  db: Database | Transaction,
  tenantId: string,
  runIds: readonly string[],
  change: {
    from: RunStatus[];
    set: RunUpdate;
    event: { type: string; payload?: Record<string, unknown> };
  },
): Promise<string[]> {
  if (!runIds.length) return [];
  const update = db
    .update(skillRuns)
    .set(change.set)
    .where(
      and(
        inArray(skillRuns.id, [...runIds]),
        eq(skillRuns.tenantId, tenantId),
        inArray(skillRuns.status, change.from),
      ),
    )
    .returning({ id: skillRuns.id });
  const rows = await db.execute<{ run_id: string }>(sql`
    with updated as (${update.getSQL()})
    insert into ${runEvents} (run_id, tenant_id, type, payload)
    select id, ${tenantId}, ${change.event.type}, ${jsonbParam(change.event.payload ?? {})} from updated
    returning run_id`);
  return rows.map((row) => row.run_id);
}
