import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, runApprovals, skillRuns, skills, users } from "@/server/db/schema";
import type { RunRef } from "@/inngest/events";

/** What the Approvals inbox, its sidebar badge and the run page read of pending requests. */

const pendingColumns = {
  runId: runApprovals.runId,
  approvalId: runApprovals.id,
  kind: runApprovals.kind,
  toolCalls: runApprovals.toolCalls,
  draft: runApprovals.draft,
  actionKey: runApprovals.actionKey,
  requestedAt: runApprovals.requestedAt,
  expiresAt: runApprovals.expiresAt,
  skill: { id: skills.id, slug: skills.slug, name: skills.name },
  agent: { id: agents.id, name: agents.name },
  startedBy: { id: users.id, name: users.name, email: users.email },
  source: skillRuns.source,
  now: sql<Date>`now()`.mapWith(runApprovals.requestedAt),
};

function pendingQuery(db: Database, tenantId: string) {
  return db
    .select(pendingColumns)
    .from(runApprovals)
    .innerJoin(
      skillRuns,
      and(eq(skillRuns.id, runApprovals.runId), eq(skillRuns.tenantId, tenantId)),
    )
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, and(eq(agents.id, skillRuns.agentId), eq(agents.tenantId, tenantId)))
    .leftJoin(users, eq(users.id, skillRuns.invokerUserId));
}

const waiting = (tenantId: string) =>
  and(
    eq(runApprovals.tenantId, tenantId),
    eq(runApprovals.state, "pending"),
    eq(skillRuns.status, "awaiting_approval"),
  );

/** The inbox: every run of the tenant awaiting a decision, oldest request first. */
export async function listPendingApprovals(db: Database, tenantId: string) {
  return pendingQuery(db, tenantId)
    .where(waiting(tenantId))
    .orderBy(asc(runApprovals.requestedAt), asc(runApprovals.id))
    .limit(PENDING_LIST_LIMIT);
}
export const PENDING_LIST_LIMIT = 200;

/** The sidebar badge's number. */
export async function countPendingApprovals(db: Database, tenantId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(runApprovals)
    .innerJoin(
      skillRuns,
      and(eq(skillRuns.id, runApprovals.runId), eq(skillRuns.tenantId, tenantId)),
    )
    .where(waiting(tenantId));
  return row?.count ?? 0;
}

/** The run page's view of its pending request, or null. */
export async function pendingApprovalOf(db: Database, ref: RunRef) {
  const [row] = await pendingQuery(db, ref.tenantId).where(
    and(waiting(ref.tenantId), eq(runApprovals.runId, ref.runId)),
  );
  return row ?? null;
}
