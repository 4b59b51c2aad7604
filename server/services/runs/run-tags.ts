import "server-only";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";
import { uniqueTags } from "@/lib/run-tags";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { RunNotFoundError } from "./run-errors";

/**
 * Replaces a run's tags (valid ones: the caller's schema checked them), in any status: tags
 * describe the run, they do not change what it did. The audit entry, written in the same
 * transaction and only when the tags changed, holds what was added and removed.
 */
export async function setRunTags(
  db: Database,
  input: { tenantId: string; runId: string; tags: readonly string[] },
  audit: AuditContext,
): Promise<{ runId: string; tags: string[] }> {
  const tags = uniqueTags(input.tags);
  return db.transaction(async (tx) => {
    const where = and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId));
    // The row lock orders concurrent edits, so each audit entry's "before" is what it replaced.
    const [current] = await tx
      .select({ tags: skillRuns.tags })
      .from(skillRuns)
      .where(where)
      .for("update");
    if (!current) throw new RunNotFoundError(input.runId);
    const added = tags.filter((tag) => !current.tags.includes(tag));
    const removed = current.tags.filter((tag) => !tags.includes(tag));
    if (added.length === 0 && removed.length === 0)
      return { runId: input.runId, tags: current.tags };
    await tx.update(skillRuns).set({ tags }).where(where);
    await recordAudit(tx, {
      tenantId: input.tenantId,
      ...audit,
      action: "run.tag",
      target: { type: "run", id: input.runId },
      metadata: { added, removed },
    });
    return { runId: input.runId, tags };
  });
}
