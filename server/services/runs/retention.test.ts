import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { retentionPolicyInput } from "@/lib/schemas/retention";
import { auditLog, runEvents, runFeedback, skillRuns, type RunStatus } from "@/server/db/schema";
import { dashboardOverview } from "@/server/services/dashboard/dashboard";
import {
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
} from "@/test/fixtures";
import {
  deleteExpiredRunsBatch,
  getRetentionPolicy,
  previewRetention,
  retentionCutoffs,
  sweepTenantRetention,
  updateRetentionPolicy,
} from "./retention";
import { deleteRun } from "./run-delete";
import { RunNotDeletableError, RunNotFoundError } from "./run-errors";
import { feedbackRollup, setRunFeedback } from "./run-feedback";
import { foldFinishedRunsBacklog } from "./run-rollup";

const { db } = openTestDatabase();
const DAY_MS = 24 * 60 * 60 * 1000;
const audit = { actor: { type: "user" as const, id: null }, origin: null };
const SWEEP = { batchSize: 2, maxBatches: 50 };

type World = Awaited<ReturnType<typeof createTenantWithSkill>>;

/** The dashboard rollup's fold, as its cron runs it: retention deletes only runs it counted. */
const fold = () => foldFinishedRunsBacklog(db, { batchSize: 500, maxBatches: 100 });

/** A run `ageDays` old with two timeline events; a complete one has a deliverable. */
async function run(world: World, ageDays: number, status: RunStatus = "complete") {
  const [row] = await db
    .insert(skillRuns)
    .values({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "manual",
      inputs: {},
      status,
      deliverable:
        status === "complete" ? { type: "inline", format: "markdown", payload: "# Done" } : null,
      createdAt: new Date(Date.now() - ageDays * DAY_MS),
      finishedAt: status === "complete" ? new Date(Date.now() - ageDays * DAY_MS) : null,
    })
    .returning({ id: skillRuns.id });
  const id = row!.id;
  await db.insert(runEvents).values([
    { runId: id, tenantId: world.tenant.id, type: "queued" },
    { runId: id, tenantId: world.tenant.id, type: status },
  ]);
  return id;
}

async function runsOf(world: World) {
  return db
    .select({
      id: skillRuns.id,
      status: skillRuns.status,
      deliverable: skillRuns.deliverable,
      expiredAt: skillRuns.deliverableExpiredAt,
    })
    .from(skillRuns)
    .where(eq(skillRuns.tenantId, world.tenant.id));
}

async function setPolicy(world: World, runDays: number | null, deliverableDays: number | null) {
  await updateRetentionPolicy(db, world.tenant.id, { runDays, deliverableDays }, audit);
}

describe("retention sweep", () => {
  it("deletes ended runs past the cutoff with their events, in batches, and never an active one", async () => {
    const world = await createTenantWithSkill(db);
    const expired = [
      await run(world, 40),
      await run(world, 35, "failed"),
      await run(world, 33, "cancelled"),
      await run(world, 31),
      await run(world, 32),
    ];
    const active = [await run(world, 60, "queued"), await run(world, 50, "running")];
    const kept = await run(world, 10);
    await setPolicy(world, 30, null);
    await fold();

    const firstTick = await sweepTenantRetention(db, world.tenant.id, {
      batchSize: 2,
      maxBatches: 2,
    });
    expect(firstTick).toMatchObject({ runs: 4, events: 8, done: false });
    const secondTick = await sweepTenantRetention(db, world.tenant.id, SWEEP);
    expect(secondTick).toMatchObject({ runs: 1, events: 2, done: true });

    expect((await runsOf(world)).map((r) => r.id).sort()).toEqual([...active, kept].sort());
    const orphanEvents = await db
      .select({ id: runEvents.id })
      .from(runEvents)
      .where(inArray(runEvents.runId, expired));
    expect(orphanEvents).toEqual([]);
  });

  it("clears old deliverables but keeps the run, marked as expired by retention", async () => {
    const world = await createTenantWithSkill(db);
    const old = await run(world, 20);
    const recent = await run(world, 2);
    await setPolicy(world, null, 7);

    expect(await sweepTenantRetention(db, world.tenant.id, SWEEP)).toMatchObject({
      runs: 0,
      deliverables: 1,
    });
    const rows = new Map((await runsOf(world)).map((r) => [r.id, r]));
    expect(rows.get(old)).toMatchObject({ deliverable: null, expiredAt: expect.any(Date) });
    expect(rows.get(recent)).toMatchObject({ deliverable: { payload: "# Done" }, expiredAt: null });
    const events = await db.select().from(runEvents).where(eq(runEvents.runId, old));
    expect(events).toHaveLength(2);
  });

  it("touches no other tenant's runs", async () => {
    const world = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    await run(world, 40);
    const theirs = [await run(other, 40), await run(other, 20)];
    await setPolicy(world, 30, 7);
    await fold();

    await sweepTenantRetention(db, world.tenant.id, SWEEP);
    const left = await runsOf(other);
    expect(left.map((r) => r.id).sort()).toEqual([...theirs].sort());
    expect(left.every((r) => r.deliverable !== null)).toBe(true);
  });

  it("deletes and clears exactly what the dry run counted", async () => {
    const world = await createTenantWithSkill(db);
    for (const age of [90, 61, 45, 40, 31]) await run(world, age);
    await run(world, 45, "failed");
    await run(world, 70, "running");
    for (const age of [29, 20, 9]) await run(world, age);
    await run(world, 3);
    await setPolicy(world, 30, 8);
    await fold();
    const policy = await getRetentionPolicy(db, world.tenant.id);
    const cutoffs = await retentionCutoffs(db, policy);

    const preview = await previewRetention(db, world.tenant.id, policy, cutoffs);
    expect(preview).toEqual({ runs: 6, deliverables: 3 });
    const swept = await sweepTenantRetention(db, world.tenant.id, SWEEP);
    expect({ runs: swept.runs, deliverables: swept.deliverables }).toEqual(preview);
    expect(await previewRetention(db, world.tenant.id, policy)).toEqual({
      runs: 0,
      deliverables: 0,
    });
  });

  it("writes one audit entry per sweep with the counts, and none when nothing expired", async () => {
    const world = await createTenantWithSkill(db);
    for (const age of [40, 41, 42, 43, 44]) await run(world, age);
    await setPolicy(world, 30, null);
    await fold();
    await sweepTenantRetention(db, world.tenant.id, SWEEP);
    await sweepTenantRetention(db, world.tenant.id, SWEEP);
    const entries = await db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.tenantId, world.tenant.id), eq(auditLog.action, "run.retention_sweep")),
      );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorType: "system",
      metadata: {
        runsDeleted: 5,
        eventsDeleted: 10,
        ratingsKept: 0,
        deliverablesCleared: 0,
        runDays: 30,
      },
    });
  });

  it("does nothing for a tenant without a policy", async () => {
    const world = await createTenantWithSkill(db);
    await run(world, 4000);
    await fold();
    expect(await sweepTenantRetention(db, world.tenant.id, SWEEP)).toEqual({
      runs: 0,
      deliverables: 0,
      events: 0,
      ratings: 0,
      done: true,
    });
    expect(await runsOf(world)).toHaveLength(1);
  });

  it("deletes an expired run only once the dashboard's rollup has counted it", async () => {
    const world = await createTenantWithSkill(db);
    const unfolded = await run(world, 40);
    await setPolicy(world, 30, null);
    const policy = await getRetentionPolicy(db, world.tenant.id);

    expect(await previewRetention(db, world.tenant.id, policy)).toEqual({
      runs: 0,
      deliverables: 0,
    });
    expect(await sweepTenantRetention(db, world.tenant.id, SWEEP)).toMatchObject({ runs: 0 });
    expect((await runsOf(world)).map((r) => r.id)).toEqual([unfolded]);

    await fold();
    expect(await previewRetention(db, world.tenant.id, policy)).toMatchObject({ runs: 1 });
    expect(await sweepTenantRetention(db, world.tenant.id, SWEEP)).toMatchObject({ runs: 1 });
    expect(await runsOf(world)).toEqual([]);
  });

  it("keeps the ratings of the runs it deletes in the skill's rollup, and says so", async () => {
    const world = await createTenantWithSkill(db);
    const rated = await run(world, 40);
    const member = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    await setRunFeedback(
      db,
      {
        tenantId: world.tenant.id,
        userId: member.id,
        runId: rated,
        rating: "good",
        comment: "Fine",
      },
      audit,
    );
    await setPolicy(world, 30, null);
    await fold();
    const rollupAt = new Date(Date.now() - 39 * DAY_MS);
    const before = await feedbackRollup(db, world.tenant.id, { skillId: world.skill.id }, rollupAt);
    expect(before.good).toBe(1);

    expect(await sweepTenantRetention(db, world.tenant.id, SWEEP)).toMatchObject({
      runs: 1,
      ratings: 1,
    });
    expect(await runsOf(world)).toEqual([]);
    const after = await feedbackRollup(db, world.tenant.id, { skillId: world.skill.id }, rollupAt);
    expect(after).toMatchObject({ good: 1, bad: 0, weeks: before.weeks });
    expect(after.comments).toMatchObject([{ runId: null, comment: "Fine" }]);
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.tenantId, world.tenant.id), eq(auditLog.action, "run.retention_sweep")),
      );
    expect(entry?.metadata).toMatchObject({ runsDeleted: 1, eventsDeleted: 2, ratingsKept: 1 });
  });

  it("a batch deletes no more than its limit", async () => {
    const world = await createTenantWithSkill(db);
    for (const age of [40, 41, 42]) await run(world, age);
    await fold();
    const before = new Date(Date.now() - 30 * DAY_MS);
    expect(await deleteExpiredRunsBatch(db, world.tenant.id, before, 2)).toEqual({
      runs: 2,
      events: 4,
      ratings: 0,
    });
    expect(await runsOf(world)).toHaveLength(1);
  });
});

describe("retention policy", () => {
  it("refuses a deliverable retention not shorter than the run retention", () => {
    const parsed = retentionPolicyInput.safeParse({ runDays: 30, deliverableDays: 30 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["deliverableDays"]);
    expect(retentionPolicyInput.safeParse({ runDays: 0, deliverableDays: null }).success).toBe(
      false,
    );
    expect(retentionPolicyInput.safeParse({ runDays: null, deliverableDays: 5 }).success).toBe(
      true,
    );
  });

  it("saves the policy with an audited before/after", async () => {
    const world = await createTenantWithSkill(db);
    await setPolicy(world, 90, 30);
    expect(await getRetentionPolicy(db, world.tenant.id)).toEqual({
      runDays: 90,
      deliverableDays: 30,
    });
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, world.tenant.id), eq(auditLog.action, "retention.update")));
    expect(entry?.metadata).toMatchObject({
      changes: [
        { field: "Keep runs (days)", before: null, after: "90" },
        { field: "Keep deliverables (days)", before: null, after: "30" },
      ],
    });
  });
});

describe("deleteRun", () => {
  it("deletes an ended run and its events, audited with the count", async () => {
    const world = await createTenantWithSkill(db);
    const id = await run(world, 1, "failed");
    expect(await deleteRun(db, { tenantId: world.tenant.id, runId: id }, audit)).toEqual({
      runId: id,
      eventsDeleted: 2,
    });
    expect(await runsOf(world)).toEqual([]);
    expect(await db.select().from(runEvents).where(eq(runEvents.runId, id))).toEqual([]);
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "run.delete")));
    expect(entry?.metadata).toMatchObject({
      status: "failed",
      runsDeleted: 1,
      eventsDeleted: 2,
      ratingsKept: 0,
    });
  });

  it("counts a run the rollup had not folded yet into the dashboard before deleting it", async () => {
    const world = await createTenantWithSkill(db);
    const id = await run(world, 1, "failed");
    const totals = async () =>
      (await dashboardOverview(db, world.tenant.id, { window: "7d" })).totals;
    const before = await totals();
    expect(before).toMatchObject({ byStatus: { failed: 1 } });

    await deleteRun(db, { tenantId: world.tenant.id, runId: id }, audit);
    expect(await runsOf(world)).toEqual([]);
    expect(await totals()).toEqual(before);
    await fold();
    expect(await totals()).toEqual(before);
  });

  it("keeps the deleted run's ratings in the skill's rollup", async () => {
    const world = await createTenantWithSkill(db);
    const id = await run(world, 1);
    const member = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    await setRunFeedback(
      db,
      { tenantId: world.tenant.id, userId: member.id, runId: id, rating: "bad" },
      audit,
    );
    await deleteRun(db, { tenantId: world.tenant.id, runId: id }, audit);
    expect(await feedbackRollup(db, world.tenant.id, { skillId: world.skill.id })).toMatchObject({
      good: 0,
      bad: 1,
    });
    const kept = await db
      .select({ runId: runFeedback.runId })
      .from(runFeedback)
      .where(eq(runFeedback.tenantId, world.tenant.id));
    expect(kept).toEqual([{ runId: null }]);
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "run.delete")));
    expect(entry?.metadata).toMatchObject({ runsDeleted: 1, eventsDeleted: 2, ratingsKept: 1 });
  });

  it("refuses a queued or running run and changes nothing", async () => {
    const world = await createTenantWithSkill(db);
    for (const status of ["queued", "running"] as const) {
      const id = await run(world, 1, status);
      const before = await fingerprintTables(db);
      const refusal = deleteRun(db, { tenantId: world.tenant.id, runId: id }, audit);
      await expect(refusal).rejects.toBeInstanceOf(RunNotDeletableError);
      await expect(refusal).rejects.toThrow(`The run is still ${status}; cancel it first`);
      expect(await fingerprintTables(db)).toEqual(before);
    }
  });

  it("answers another tenant's run as not found", async () => {
    const world = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const theirs = await run(other, 1);
    await expect(
      deleteRun(db, { tenantId: world.tenant.id, runId: theirs }, audit),
    ).rejects.toBeInstanceOf(RunNotFoundError);
    expect(await runsOf(other)).toHaveLength(1);
  });
});
