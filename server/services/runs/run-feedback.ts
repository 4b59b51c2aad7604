import "server-only";
import { and, desc, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
import {
  DEFAULT_ROLLUP_WEEKS,
  fillWeeks,
  goodShareOf,
  ROLLUP_COMMENTS,
  rollupStart,
} from "@/lib/feedback";
import type { FeedbackRollupInput, SetRunFeedbackInput } from "@/lib/schemas/run-feedback";
import type { Database } from "@/server/db/client";
import { agents, runFeedback, skillRuns, skills, users } from "@/server/db/schema";
import type { RunStatus } from "@/server/db/schema/enums";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { skillReadableBy } from "@/server/services/catalog/skills";
import { ServiceError } from "@/server/services/errors";
import { RunNotFoundError } from "./run-errors";

/** Only a deliverable can be good or bad: queued, running, failed and cancelled runs have none. */
export class RunNotRatableError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "run_not_complete";
  constructor(status: RunStatus) {
    super(`Only a complete run's deliverable can be rated; this run is ${status}.`);
  }
}

/** A deliverable retention cleared is gone: there is nothing left to judge. */
export class RunDeliverableExpiredError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "deliverable_expired";
  constructor() {
    super("This run's deliverable was removed by the retention policy; it can no longer be rated.");
  }
}

export class FeedbackSkillNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_not_found";
  constructor(skillId: string) {
    super(`Skill ${skillId} was not found in this tenant.`);
  }
}

/** Counts of 👍 and 👎 per run, for the runs given (the history's page); runs nobody rated are absent. */
export async function feedbackCountsOf(
  db: Database,
  tenantId: string,
  runIds: string[],
): Promise<Map<string, { good: number; bad: number }>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .select({
      runId: runFeedback.runId,
      good: sql<number>`count(*) filter (where ${runFeedback.rating} = 'good')`.mapWith(Number),
      bad: sql<number>`count(*) filter (where ${runFeedback.rating} = 'bad')`.mapWith(Number),
    })
    .from(runFeedback)
    .where(and(eq(runFeedback.tenantId, tenantId), inArray(runFeedback.runId, runIds)))
    .groupBy(runFeedback.runId);
  return new Map(rows.flatMap(({ runId, ...counts }) => (runId ? [[runId, counts] as const] : [])));
}

/**
 * A run's feedback as its page shows it: every member's rating (newest first), the caller's own,
 * the counts and whether the run can be rated at all. RunNotFoundError unless the run is the tenant's.
 */
export async function getRunFeedback(
  db: Database,
  tenantId: string,
  runId: string,
  userId: string,
) {
  const [run] = await db
    .select({ status: skillRuns.status, deliverableExpiredAt: skillRuns.deliverableExpiredAt })
    .from(skillRuns)
    .where(and(eq(skillRuns.id, runId), eq(skillRuns.tenantId, tenantId)));
  if (!run) throw new RunNotFoundError(runId);
  const entries = await db
    .select({
      userId: runFeedback.userId,
      userName: users.name,
      userEmail: users.email,
      rating: runFeedback.rating,
      comment: runFeedback.comment,
      updatedAt: runFeedback.updatedAt,
    })
    .from(runFeedback)
    .innerJoin(users, eq(users.id, runFeedback.userId))
    .where(and(eq(runFeedback.tenantId, tenantId), eq(runFeedback.runId, runId)))
    .orderBy(desc(runFeedback.updatedAt));
  const good = entries.filter((entry) => entry.rating === "good").length;
  const mine = entries.find((entry) => entry.userId === userId) ?? null;
  return {
    ratable: run.status === "complete" && !run.deliverableExpiredAt,
    good,
    bad: entries.length - good,
    mine: mine && { rating: mine.rating, comment: mine.comment },
    entries: entries.map(({ userId: _userId, ...entry }) => entry),
  };
}

/**
 * The caller's 👍 or 👎 (and optional comment) on a complete run: one per member and run, a
 * second one replaces the first. Written with its audit entry in one transaction; a repeat that
 * changes nothing writes nothing. Unknown and foreign runs are RunNotFoundError.
 */
export async function setRunFeedback(
  db: Database,
  input: SetRunFeedbackInput & { tenantId: string; userId: string },
  audit: AuditContext,
) {
  const comment = input.comment ?? null;
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select({
        status: skillRuns.status,
        skillId: skillRuns.skillId,
        agentId: skillRuns.agentId,
        finishedAt: skillRuns.finishedAt,
        deliverableExpiredAt: skillRuns.deliverableExpiredAt,
        previous: { rating: runFeedback.rating, comment: runFeedback.comment },
      })
      .from(skillRuns)
      .leftJoin(
        runFeedback,
        and(eq(runFeedback.runId, skillRuns.id), eq(runFeedback.userId, input.userId)),
      )
      .where(and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId)));
    if (!run) throw new RunNotFoundError(input.runId);
    if (run.status !== "complete" || !run.finishedAt) throw new RunNotRatableError(run.status);
    if (run.deliverableExpiredAt) throw new RunDeliverableExpiredError();
    const previous = run.previous?.rating ? run.previous : null;
    if (previous?.rating === input.rating && previous.comment === comment)
      return { rating: input.rating, comment, changed: false };
    await tx
      .insert(runFeedback)
      .values({
        tenantId: input.tenantId,
        runId: input.runId,
        userId: input.userId,
        skillId: run.skillId,
        agentId: run.agentId,
        runFinishedAt: run.finishedAt,
        rating: input.rating,
        comment,
      })
      .onConflictDoUpdate({
        target: [runFeedback.runId, runFeedback.userId],
        set: { rating: input.rating, comment, updatedAt: sql`now()` },
      });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      ...audit,
      action: "run.feedback",
      target: { type: "run", id: input.runId },
      // The comment is the member's own words about a deliverable: the log says only that there is one.
      metadata: {
        rating: input.rating,
        previousRating: previous?.rating ?? null,
        withComment: comment !== null,
      },
    });
    return { rating: input.rating, comment, changed: true };
  });
}

/** The skill (built-in or the tenant's own) or the tenant's agent the rollup is of, or not found. */
async function rollupScope(db: Database, tenantId: string, input: FeedbackRollupInput) {
  if ("skillId" in input) {
    const [skill] = await db
      .select({ id: skills.id })
      .from(skills)
      .where(and(eq(skills.id, input.skillId), skillReadableBy(tenantId)));
    if (!skill) throw new FeedbackSkillNotFoundError(input.skillId);
    return { column: runFeedback.skillId, id: input.skillId };
  }
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.id, input.agentId), eq(agents.tenantId, tenantId)));
  if (!agent) throw new AgentNotFoundError(input.agentId);
  return { column: runFeedback.agentId, id: input.agentId };
}

/**
 * A skill's or an agent's share of good deliverables, week by week (ISO weeks, Monday 00:00
 * UTC, of when each rated run finished), over the last `weeks` weeks including this one, with the
 * totals over them and the latest comments. Each rating counts once: a run two members rated
 * good counts twice, one they disagree on once each way. Reads only run_feedback's indexes.
 */
export async function feedbackRollup(
  db: Database,
  tenantId: string,
  input: FeedbackRollupInput,
  now: Date = new Date(),
) {
  const weeks = input.weeks ?? DEFAULT_ROLLUP_WEEKS;
  const { column, id } = await rollupScope(db, tenantId, input);
  const from = rollupStart(weeks, now);
  const scope: SQL | undefined = and(
    eq(runFeedback.tenantId, tenantId),
    eq(column, id),
    gte(runFeedback.runFinishedAt, from),
  );
  const weekStart = sql<Date>`date_trunc('week', ${runFeedback.runFinishedAt} at time zone 'UTC') at time zone 'UTC'`;
  const [counted, comments] = await Promise.all([
    db
      .select({
        weekStart: weekStart.mapWith(runFeedback.runFinishedAt),
        good: sql<number>`count(*) filter (where ${runFeedback.rating} = 'good')`.mapWith(Number),
        bad: sql<number>`count(*) filter (where ${runFeedback.rating} = 'bad')`.mapWith(Number),
      })
      .from(runFeedback)
      .where(scope)
      .groupBy(weekStart),
    db
      .select({
        id: runFeedback.id,
        // Null once retention or a member deleted the run: the rating and comment still count.
        runId: runFeedback.runId,
        rating: runFeedback.rating,
        comment: sql<string>`${runFeedback.comment}`,
        userName: users.name,
        userEmail: users.email,
        updatedAt: runFeedback.updatedAt,
      })
      .from(runFeedback)
      .innerJoin(users, eq(users.id, runFeedback.userId))
      .where(
        and(
          eq(runFeedback.tenantId, tenantId),
          eq(column, id),
          sql`${runFeedback.comment} is not null`,
        ),
      )
      .orderBy(desc(runFeedback.updatedAt))
      .limit(ROLLUP_COMMENTS),
  ]);
  const filled = fillWeeks(counted, weeks, now);
  const good = filled.reduce((sum, week) => sum + week.good, 0);
  const bad = filled.reduce((sum, week) => sum + week.bad, 0);
  return { from, weeks: filled, good, bad, goodShare: goodShareOf(good, bad), comments };
}
