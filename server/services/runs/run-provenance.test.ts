import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  apiKeys,
  scheduleSlots,
  schedules,
  skillRuns,
  webhookDeliveries,
  webhooks,
} from "@/server/db/schema";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { getRun } from "./run-queries";

const { db } = openTestDatabase();

type World = Awaited<ReturnType<typeof createTenantWithSkill>>;

async function insertRun(world: World, values: Partial<typeof skillRuns.$inferInsert> = {}) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "manual",
      inputs: {},
      ...values,
    })
    .returning({ id: skillRuns.id });
  return run!.id;
}

async function insertSchedule(world: World, name = "Weekday digest") {
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: world.tenant.id,
      name,
      skillId: world.skill.id,
      cron: "30 8 * * 1-5",
      timezone: "Europe/Berlin",
    })
    .returning({ id: schedules.id });
  return schedule!.id;
}

async function insertWebhook(world: World, name = "PagerDuty resolved") {
  const [webhook] = await db
    .insert(webhooks)
    .values({ tenantId: world.tenant.id, name, skillId: world.skill.id, signingSecret: "s" })
    .returning({ id: webhooks.id });
  return webhook!.id;
}

async function insertApiKey(world: World, name = "CI pipeline") {
  const [key] = await db
    .insert(apiKeys)
    .values({
      tenantId: world.tenant.id,
      name,
      role: "operator",
      prefix: `srk_${randomUUID().slice(0, 8)}`,
      keyHash: randomUUID(),
    })
    .returning({ id: apiKeys.id });
  return key!.id;
}

const provenanceOf = async (world: World, runId: string) =>
  (await getRun(db, world.tenant.id, runId)).provenance;

describe("a run page names where its run came from", () => {
  it("Run now: the user who started it", async () => {
    const world = await createTenantWithSkill(db);
    const user = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    const runId = await insertRun(world, { source: "manual", invokerUserId: user.id });
    expect(await provenanceOf(world, runId)).toEqual({
      source: "manual",
      user: { name: expect.stringMatching(/^User /), email: user.email },
    });
  });

  it("a re-run: the run it repeats and who started it", async () => {
    const world = await createTenantWithSkill(db);
    const user = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    const parentRunId = await insertRun(world);
    const runId = await insertRun(world, {
      source: "rerun",
      invokerUserId: user.id,
      parentRunId,
    });
    expect(await provenanceOf(world, runId)).toMatchObject({
      source: "rerun",
      parentRunId,
      user: { email: user.email },
    });
  });

  it("a schedule: its name and zone, and the slot that fired the run", async () => {
    const world = await createTenantWithSkill(db);
    const scheduleId = await insertSchedule(world);
    const slotAt = new Date("2026-12-05T10:41:00.000Z");
    const runId = await insertRun(world, { source: "schedule", scheduleId });
    await db.insert(scheduleSlots).values([
      // Another slot of the same schedule, and another run's: neither is this run's.
      {
        tenantId: world.tenant.id,
        scheduleId,
        slotAt: new Date(slotAt.getTime() - 60_000),
        outcome: "skipped",
      },
      { tenantId: world.tenant.id, scheduleId, slotAt, outcome: "fired", runId },
    ]);
    expect(await provenanceOf(world, runId)).toEqual({
      source: "schedule",
      schedule: { id: scheduleId, name: "Weekday digest", timezone: "Europe/Berlin" },
      slotAt,
    });
  });

  it("a webhook: its name and the accepted delivery that made the run, not the duplicates", async () => {
    const world = await createTenantWithSkill(db);
    const webhookId = await insertWebhook(world);
    const replayer = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    const runId = await insertRun(world, { source: "webhook", webhookId });
    const [accepted] = await db
      .insert(webhookDeliveries)
      .values({
        tenantId: world.tenant.id,
        webhookId,
        deliveryId: "evt_b2f9",
        verdict: "accepted",
        httpStatus: 202,
        runId,
      })
      .returning({ id: webhookDeliveries.id });
    await db.insert(webhookDeliveries).values({
      tenantId: world.tenant.id,
      webhookId,
      deliveryId: "evt_b2f9",
      verdict: "duplicate",
      httpStatus: 200,
      deduplicated: true,
      runId,
    });
    expect(await provenanceOf(world, runId)).toEqual({
      source: "webhook",
      webhook: { id: webhookId, name: "PagerDuty resolved" },
      delivery: { id: accepted!.id, deliveryId: "evt_b2f9" },
      replayedBy: null,
    });

    // A replay from the log: an operator started it.
    const replayRunId = await insertRun(world, {
      source: "webhook",
      webhookId,
      invokerUserId: replayer.id,
    });
    expect(await provenanceOf(world, replayRunId)).toMatchObject({
      source: "webhook",
      delivery: null,
      replayedBy: { email: replayer.email },
    });
  });

  it("an API key: its name, and whether it has been revoked since", async () => {
    const world = await createTenantWithSkill(db);
    const keyId = await insertApiKey(world);
    const runId = await insertRun(world, { source: "api", apiKeyId: keyId });
    expect(await provenanceOf(world, runId)).toEqual({
      source: "api",
      apiKey: { id: keyId, name: "CI pipeline", revoked: false },
    });
    await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId));
    expect(await provenanceOf(world, runId)).toMatchObject({ apiKey: { revoked: true } });
  });

  it("a source deleted since reads as gone, and the run still loads", async () => {
    const world = await createTenantWithSkill(db);
    const scheduleId = await insertSchedule(world);
    const webhookId = await insertWebhook(world);
    const scheduled = await insertRun(world, { source: "schedule", scheduleId });
    await db.insert(scheduleSlots).values({
      tenantId: world.tenant.id,
      scheduleId,
      slotAt: new Date(),
      outcome: "fired",
      runId: scheduled,
    });
    const hooked = await insertRun(world, { source: "webhook", webhookId });
    await db.delete(schedules).where(eq(schedules.id, scheduleId));
    await db.delete(webhooks).where(eq(webhooks.id, webhookId));

    expect(await provenanceOf(world, scheduled)).toEqual({
      source: "schedule",
      schedule: null,
      slotAt: null,
    });
    expect(await provenanceOf(world, hooked)).toEqual({
      source: "webhook",
      webhook: null,
      delivery: null,
      replayedBy: null,
    });
  });

  it("names nothing of another tenant, even when a run's ids point there", async () => {
    const world = await createTenantWithSkill(db);
    const stranger = await createTenantWithSkill(db);
    const [scheduleId, webhookId, keyId, parentRunId] = await Promise.all([
      insertSchedule(stranger, "Their schedule"),
      insertWebhook(stranger, "Their webhook"),
      insertApiKey(stranger, "Their key"),
      insertRun(stranger),
    ]);
    const runs = await Promise.all([
      insertRun(world, { source: "schedule", scheduleId }),
      insertRun(world, { source: "webhook", webhookId }),
      insertRun(world, { source: "api", apiKeyId: keyId }),
      insertRun(world, { source: "rerun", parentRunId }),
    ]);
    const [scheduled, hooked, keyed, rerun] = await Promise.all(
      runs.map((runId) => provenanceOf(world, runId)),
    );
    expect(scheduled).toMatchObject({ schedule: null, slotAt: null });
    expect(hooked).toMatchObject({ webhook: null, delivery: null });
    expect(keyed).toMatchObject({ apiKey: null });
    expect(rerun).toMatchObject({ parentRunId: null });
    expect(JSON.stringify([scheduled, hooked, keyed, rerun])).not.toContain("Their");
  });

  it("names who cancelled a run", async () => {
    const world = await createTenantWithSkill(db);
    const operator = await createUser(db, [{ tenantId: world.tenant.id, role: "operator" }]);
    const runId = await insertRun(world, {
      status: "cancelled",
      cancelledByUserId: operator.id,
      finishedAt: new Date(),
    });
    expect((await getRun(db, world.tenant.id, runId)).cancelledBy).toEqual({
      name: expect.stringMatching(/^User /),
      email: operator.email,
    });
    expect((await getRun(db, world.tenant.id, await insertRun(world))).cancelledBy).toBeNull();
  });
});
