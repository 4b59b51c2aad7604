import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, runApprovals, skillRuns, skills, users } from "@/server/db/schema";
import type { RunRef } from "@/inngest/events";

/** What the Approvals inbox, its sidebar badge and the run page read of pending requests. */

/**
 * The inbox shows this much of a draft deliverable; the whole draft (up to 1 MB) is read only for
 * one request at a time (`pendingApprovalOf`), so a poll of up to 200 requests stays small.
 */
export const DRAFT_PREVIEW_CHARS = 2_000;

/** The request's draft cut to its preview, and whether anything was cut (both null-safe). */
const draftPreviewColumns = {
  draft: sql<string | null>`left(${runApprovals.draft}, ${DRAFT_PREVIEW_CHARS})`,
  draftChars: sql<number>`coalesce(char_length(${runApprovals.draft}), 0)::int`,
  draftTruncated: sql<boolean>`coalesce(char_length(${runApprovals.draft}) > ${DRAFT_PREVIEW_CHARS}, false)`,
};
/** The whole draft, as the run page and an expanded inbox card read it. */
const wholeDraftColumns = {
  draft: runApprovals.draft,
  draftChars: sql<number>`coalesce(char_length(${runApprovals.draft}), 0)::int`,
  draftTruncated: sql<boolean>`false`,
};

const pendingColumns = {
  runId: runApprovals.runId,
  approvalId: runApprovals.id,
  kind: runApprovals.kind,
  toolCalls: runApprovals.toolCalls,
  actionKey: runApprovals.actionKey,
  requestedAt: runApprovals.requestedAt,
  expiresAt: runApprovals.expiresAt,
  skill: { id: skills.id, slug: skills.slug, name: skills.name },
  agent: { id: agents.id, name: agents.name },
  startedBy: { id: users.id, name: users.name, email: users.email },
  source: skillRuns.source,
  now: sql<Date>`now()`.mapWith(runApprovals.requestedAt),
};

function pendingQuery(db: Database, tenantId: string, draft: "preview" | "whole") {
  return db
    .select({
      ...pendingColumns,
      ...(draft === "preview" ? draftPreviewColumns : wholeDraftColumns),
    })
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

/**
 * The inbox: every run of the tenant awaiting a decision, oldest request first, each draft cut to
 * its preview (`draftTruncated` says when there is more).
 */
export async function listPendingApprovals(db: Database, tenantId: string) {
  return pendingQuery(db, tenantId, "preview")
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

/** The run's pending request with its whole draft (the run page, an expanded inbox card), or null. */
export async function pendingApprovalOf(db: Database, ref: RunRef) {
  const [row] = await pendingQuery(db, ref.tenantId, "whole").where(
    and(waiting(ref.tenantId), eq(runApprovals.runId, ref.runId)),
  );
  return row ?? null;
}
