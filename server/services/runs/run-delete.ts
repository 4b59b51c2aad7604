import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { isTerminal } from "@/lib/enums";
import type { Database } from "@/server/db/client";
import { runEvents, runFeedback, skillRuns, skills } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { RunNotDeletableError, RunNotFoundError } from "./run-errors";
import { foldRun } from "./run-rollup";

/**
 * Deletes one ended run and its timeline (run_events cascade), audited in the same transaction
 * with what went. A queued or running run is refused: cancel it first. Rows that point at the
 * run (a re-run, a schedule slot, a webhook delivery, a rating) keep their row with the link
 * nulled; the dashboard's rollup keeps counting it.
 */
export async function deleteRun(
  db: Database,
  input: { tenantId: string; runId: string },
  audit: AuditContext,
): Promise<{ runId: string; eventsDeleted: number }> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select({ status: skillRuns.status, skillSlug: skills.slug })
      .from(skillRuns)
      .innerJoin(skills, eq(skills.id, skillRuns.skillId))
      .where(and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId)))
      .for("update", { of: skillRuns });
    if (!run) throw new RunNotFoundError(input.runId);
    if (!isTerminal(run.status)) throw new RunNotDeletableError(run.status);
    const count = sql<number>`count(*)`.mapWith(Number);
    const [events] = await tx
      .select({ count })
      .from(runEvents)
      .where(eq(runEvents.runId, input.runId));
    const [ratings] = await tx
      .select({ count })
      .from(runFeedback)
      .where(eq(runFeedback.runId, input.runId));
    // Counted into the dashboard's rollup first (a no-op once folded), so the delete removes the
    // run's detail but never its place in the figures.
    await foldRun(tx, input.runId);
    await tx.delete(skillRuns).where(eq(skillRuns.id, input.runId));
    const eventsDeleted = events?.count ?? 0;
    await recordAudit(tx, {
      tenantId: input.tenantId,
      ...audit,
      action: "run.delete",
      target: { type: "run", id: input.runId },
      // The same counts as a retention sweep's entry (run.retention_sweep).
      metadata: {
        status: run.status,
        skill: run.skillSlug,
        runsDeleted: 1,
        eventsDeleted,
        ratingsKept: ratings?.count ?? 0,
      },
    });
    return { runId: input.runId, eventsDeleted };
  });
}
