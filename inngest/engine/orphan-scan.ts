/**
 * Runs a statement created while its caller saw an error: a finalize, persist or ingest that
 * committed but whose answer was lost (the connection dropped after the commit) created runs —
 * an `onFailure` run from `function.failed`, a `step.invoke` child, a `step.sendEvent` target —
 * whose queue rows are in the database but were never scheduled in memory. (The rows such a
 * persist inserted for its own run, which is held in memory, the engine reads back itself:
 * `adoptLostPersistRows` in engine.ts.) Recovery would
 * schedule them at the next start; this scan does it while the leader runs.
 *
 * It runs only for a while after a statement failed in a way after which it may have committed
 * (`GroupCommit`'s `onUnseenOutcome`), and for as long as scans return full pages (the mark has
 * not reached the newest rows yet); then one statement a scan, a primary-key range on `queue`
 * (rows inserted since the last scan, at most `ORPHAN_SCAN_LIMIT`) joined to their runs by key. Every run this process created or
 * touched is in its memory until it ends, and every row from before its start was scheduled by
 * recovery, so a row past the recovery mark whose running run this process does not hold, and
 * whose run is older than `ORPHAN_MIN_AGE_MS` (the statement's own answer has long been
 * handled), was created by a statement whose answer was lost.
 */
import { SCHEMA, type Sql } from "./store";
import type { QueueItem, QueueKind } from "./engine-types";

export const ORPHAN_SCAN_INTERVAL_MS = 2_000;
export const ORPHAN_MIN_AGE_MS = 10_000;
export const ORPHAN_SCAN_LIMIT = 500;
/**
 * How long after a statement failed unseen the scan keeps running: past the age a run must reach
 * to be judged, plus a few scans. Otherwise it sends nothing (no statement when nothing failed).
 */
export const ORPHAN_SCAN_WINDOW_MS = ORPHAN_MIN_AGE_MS + 5 * ORPHAN_SCAN_INTERVAL_MS;

/**
 * When scans stop, after a scan read `rowsRead` rows. A full page leaves rows past it unread —
 * after a long uptime with many live queue rows the mark can be far behind the rows the failed
 * statement inserted — so scans go on until a page comes back short (the mark reached the newest
 * rows), and then still for a window's length, so the runs met there are judged once old enough.
 */
export function orphanScanUntilAfter(until: number, now: number, rowsRead: number): number {
  return rowsRead >= ORPHAN_SCAN_LIMIT ? Math.max(until, now + ORPHAN_SCAN_WINDOW_MS) : until;
}

export type OrphanRow = {
  id: string;
  run_id: string;
  kind: QueueKind;
  step_id: string;
  attempt: number;
  wait_id: string | null;
  run_at: Date;
  /** Null when the run ended (or was pruned): the row is nobody's to schedule. */
  running: boolean | null;
  old_enough: boolean | null;
};

export function scanQueueSince(sql: Sql, afterId: number): Promise<OrphanRow[]> {
  const s = sql(SCHEMA);
  return sql<OrphanRow[]>`
    select q.id, q.run_id, q.kind, q.step_id, q.attempt, q.wait_id, q.run_at,
      r.status = 'Running' as running,
      r.started_at < now() - ${`${ORPHAN_MIN_AGE_MS} milliseconds`}::interval as old_enough
    from ${s}.queue q left join ${s}.runs r on r.id = q.run_id
    where q.id > ${afterId}
    order by q.id
    limit ${ORPHAN_SCAN_LIMIT}`;
}

/**
 * Which rows to schedule, and how far the mark moves: past every row examined for good (its run
 * is held in memory, or ended, or it is scheduled now), up to the first row of a run too young
 * to judge, which the next scan examines again.
 */
export function planOrphans(
  rows: readonly OrphanRow[],
  mark: number,
  held: (runId: string, queueId: number) => boolean,
): { mark: number; orphans: QueueItem[] } {
  const orphans: QueueItem[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    if (row.running && !held(row.run_id, id)) {
      if (!row.old_enough) break;
      orphans.push({
        id,
        runId: row.run_id,
        kind: row.kind,
        stepId: row.step_id,
        attempt: row.attempt,
        waitId: row.wait_id === null ? null : Number(row.wait_id),
        runAt: row.run_at.getTime(),
      });
    }
    mark = id;
  }
  return { mark, orphans };
}
