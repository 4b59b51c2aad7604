import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { fillWeeks, MAX_FEEDBACK_COMMENT_CHARS, weekStartUtc } from "@/lib/feedback";
import type { RunStatus } from "@/server/db/schema/enums";
import { auditLog, runFeedback, skillRuns } from "@/server/db/schema";
import { feedbackRollup } from "@/server/services/runs/run-feedback";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

type Setup = Awaited<ReturnType<typeof createTenantWithSkill>>;

async function runOf(
  { tenant, skill, agent }: Setup,
  status: RunStatus = "complete",
  finishedAt = new Date(),
) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      agentId: agent.id,
      source: "manual",
      inputs: {},
      status,
      finishedAt: status === "complete" || status === "failed" ? finishedAt : null,
      deliverable:
        status === "complete"
          ? { type: "inline", format: "markdown", payload: "# Done" }
          : undefined,
    })
    .returning({ id: skillRuns.id });
  return run!.id;
}

describe("run feedback", () => {
  it("keeps one rating per member and run, changeable, each change audit-logged once", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller: operator, user } = await signedInMember(db, auth, setup.tenant.id, "operator");
    const { caller: admin } = await signedInMember(db, auth, setup.tenant.id, "admin");
    const runId = await runOf(setup);

    await operator.runFeedback.set({ runId, rating: "good" });
    await operator.runFeedback.set({ runId, rating: "bad", comment: "  Wrong customer.  " });
    // The same rating and comment again changes nothing and logs nothing.
    expect(
      await operator.runFeedback.set({ runId, rating: "bad", comment: "Wrong customer." }),
    ).toMatchObject({ changed: false });
    await admin.runFeedback.set({ runId, rating: "good", comment: "" });

    const rows = await db.select().from(runFeedback).where(eq(runFeedback.runId, runId));
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.userId === user.id)).toMatchObject({
      rating: "bad",
      comment: "Wrong customer.",
      skillId: setup.skill.id,
      agentId: setup.agent.id,
    });
    const feedback = await operator.runFeedback.get({ runId });
    expect(feedback).toMatchObject({
      ratable: true,
      good: 1,
      bad: 1,
      mine: { rating: "bad", comment: "Wrong customer." },
    });
    expect(feedback.entries).toHaveLength(2);
    const audit = await db
      .select({ actorId: auditLog.actorId, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.action, "run.feedback"), eq(auditLog.targetId, runId)))
      .orderBy(auditLog.at, auditLog.id);
    expect(audit.map((entry) => entry.metadata)).toEqual([
      { rating: "good", previousRating: null, withComment: false },
      { rating: "bad", previousRating: "good", withComment: true },
      { rating: "good", previousRating: null, withComment: false },
    ]);
    expect(audit[0]!.actorId).toBe(user.id);
  });

  it("rates only complete runs, and refuses without changing anything", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "owner");
    for (const status of ["queued", "running", "failed", "cancelled"] as const) {
      const runId = await runOf(setup, status);
      const before = await fingerprintTables(db);
      expect(await trpcFailure(caller.runFeedback.set({ runId, rating: "good" }))).toMatchObject({
        code: "CONFLICT",
        message: `Only a complete run's deliverable can be rated; this run is ${status}.`,
      });
      expect(await fingerprintTables(db)).toEqual(before);
      expect(await caller.runFeedback.get({ runId })).toMatchObject({ ratable: false });
    }
  });

  it("refuses a rating once retention cleared the deliverable, changing nothing", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "owner");
    const runId = await runOf(setup);
    await db
      .update(skillRuns)
      .set({ deliverable: null, deliverableExpiredAt: new Date() })
      .where(eq(skillRuns.id, runId));
    const before = await fingerprintTables(db);
    expect(await trpcFailure(caller.runFeedback.set({ runId, rating: "bad" }))).toMatchObject({
      code: "CONFLICT",
      message:
        "This run's deliverable was removed by the retention policy; it can no longer be rated.",
    });
    expect(await fingerprintTables(db)).toEqual(before);
    expect(await caller.runFeedback.get({ runId })).toMatchObject({ ratable: false });
  });

  it("lets viewers read feedback but not give it; refuses an oversized comment", async () => {
    const setup = await createTenantWithSkill(db);
    const runId = await runOf(setup);
    const { caller: viewer } = await signedInMember(db, auth, setup.tenant.id, "viewer");
    const { caller: operator } = await signedInMember(db, auth, setup.tenant.id, "operator");
    const before = await fingerprintTables(db);
    expect(await trpcFailure(viewer.runFeedback.set({ runId, rating: "good" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await trpcFailure(
        operator.runFeedback.set({
          runId,
          rating: "bad",
          comment: "x".repeat(MAX_FEEDBACK_COMMENT_CHARS + 1),
        }),
      ),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { comment: [`Keep the comment to ${MAX_FEEDBACK_COMMENT_CHARS} characters.`] },
    });
    expect(await fingerprintTables(db)).toEqual(before);
    await operator.runFeedback.set({
      runId,
      rating: "bad",
      comment: "x".repeat(MAX_FEEDBACK_COMMENT_CHARS),
    });
    expect(await viewer.runFeedback.get({ runId })).toMatchObject({ bad: 1, mine: null });
  });

  it("shows the counts in the history list, only for rated runs", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "operator");
    const rated = await runOf(setup);
    const unrated = await runOf(setup);
    await caller.runFeedback.set({ runId: rated, rating: "bad" });
    const { runs } = await caller.runs.list({});
    expect(runs.find((run) => run.id === rated)?.feedback).toEqual({ good: 0, bad: 1 });
    expect(runs.find((run) => run.id === unrated)?.feedback).toBeNull();
  });
});

describe("feedback rollup", () => {
  // A Wednesday; its week starts Monday 2026-11-30 00:00 UTC.
  const now = new Date("2026-12-02T12:00:00Z");

  it("buckets by the run's finish in ISO weeks (UTC), edges included, with null shares for empty weeks", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "operator");
    const { caller: other } = await signedInMember(db, auth, setup.tenant.id, "admin");
    const mondayStart = new Date("2026-11-30T00:00:00Z");
    const sundayEnd = new Date("2026-11-29T23:59:59.999Z");
    const oldestWeekStart = new Date("2026-11-16T00:00:00Z");
    const justBefore = new Date(oldestWeekStart.getTime() - 1);
    const thisWeek = await runOf(setup, "complete", mondayStart);
    const lastWeek = await runOf(setup, "complete", sundayEnd);
    const oldest = await runOf(setup, "complete", oldestWeekStart);
    const outside = await runOf(setup, "complete", justBefore);
    await caller.runFeedback.set({ runId: thisWeek, rating: "good" });
    await other.runFeedback.set({ runId: thisWeek, rating: "bad", comment: "Too long." });
    await caller.runFeedback.set({ runId: lastWeek, rating: "good" });
    await caller.runFeedback.set({ runId: oldest, rating: "bad" });
    await caller.runFeedback.set({ runId: outside, rating: "good", comment: "Old but fine." });

    const rollup = await feedbackRollup(
      db,
      setup.tenant.id,
      { skillId: setup.skill.id, weeks: 3 },
      now,
    );
    expect(rollup.from).toEqual(oldestWeekStart);
    expect(rollup.weeks).toEqual([
      { weekStart: oldestWeekStart, good: 0, bad: 1, goodShare: 0 },
      { weekStart: new Date("2026-11-23T00:00:00Z"), good: 1, bad: 0, goodShare: 1 },
      { weekStart: mondayStart, good: 1, bad: 1, goodShare: 0.5 },
    ]);
    expect(rollup).toMatchObject({ good: 2, bad: 2, goodShare: 0.5 });
    // The latest comments, newest first, whatever week their run is in.
    expect(rollup.comments.map((comment) => comment.comment)).toEqual([
      "Old but fine.",
      "Too long.",
    ]);

    const byAgent = await feedbackRollup(
      db,
      setup.tenant.id,
      { agentId: setup.agent.id, weeks: 3 },
      now,
    );
    expect(byAgent.weeks).toEqual(rollup.weeks);
  });

  it("says nothing rather than 0 % when nobody rated, and counts only the tenant's own", async () => {
    const setup = await createTenantWithSkill(db);
    const rollup = await feedbackRollup(db, setup.tenant.id, { skillId: setup.skill.id }, now);
    expect(rollup.weeks).toHaveLength(12);
    expect(
      rollup.weeks.every((week) => week.goodShare === null && week.good + week.bad === 0),
    ).toBe(true);
    expect(rollup).toMatchObject({ good: 0, bad: 0, goodShare: null, comments: [] });

    const other = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "viewer");
    expect(await trpcFailure(caller.runFeedback.rollup({ skillId: other.skill.id }))).toMatchObject(
      { code: "NOT_FOUND" },
    );
    expect(await trpcFailure(caller.runFeedback.rollup({ agentId: other.agent.id }))).toMatchObject(
      { code: "NOT_FOUND" },
    );
    expect(
      await trpcFailure(caller.runFeedback.rollup({ skillId: randomUUID(), weeks: 53 })),
    ).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("fills weeks and takes Monday 00:00 UTC as a week's start", () => {
    expect(weekStartUtc(new Date("2026-11-30T00:00:00Z"))).toEqual(
      new Date("2026-11-30T00:00:00Z"),
    );
    expect(weekStartUtc(new Date("2026-12-06T23:59:59Z"))).toEqual(
      new Date("2026-11-30T00:00:00Z"),
    );
    expect(weekStartUtc(new Date("2026-11-29T23:59:59Z"))).toEqual(
      new Date("2026-11-23T00:00:00Z"),
    );
    const filled = fillWeeks([], 2, new Date("2026-12-01T00:00:00Z"));
    expect(filled.map((week) => week.weekStart)).toEqual([
      new Date("2026-11-23T00:00:00Z"),
      new Date("2026-11-30T00:00:00Z"),
    ]);
    expect(
      fillWeeks(
        [{ weekStart: new Date("2026-11-30T00:00:00Z"), good: 1, bad: 2 }],
        1,
        new Date("2026-12-01T00:00:00Z"),
      )[0]!.goodShare,
    ).toBeCloseTo(1 / 3);
  });
});
