import { and, eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import {
  agents,
  scheduleSlots,
  schedules,
  skillRuns,
  skills,
  type ScheduleInputValue,
  type SkillInputsSchema,
} from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { fireDueSchedules } from "./schedule-firing";
import { setScheduleEnabled, updateSchedule } from "./schedules";
import { RUN_REQUESTED } from "@/inngest/events";
import type { RunServiceDeps } from "@/server/services/runs/runs";

const { db } = openTestDatabase();
let engine: Engine;
let deps: RunServiceDeps;
beforeAll(async () => {
  // Runs reach the real embedded engine; no function is registered, so they stay queued.
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  deps = {
    db,
    dispatcher: new Inngest({ id: "schedules-test", isDev: true, baseUrl: engine.url }),
  };
});
afterAll(async () => {
  await engine.close();
});

const at = (iso: string) => new Date(iso);
const minutes = (base: Date, count: number) => new Date(base.getTime() + count * 60_000);

async function scheduleFor(
  options: Partial<typeof schedules.$inferInsert> & { inputsSchema?: SkillInputsSchema } = {},
) {
  const { inputsSchema, ...values } = options;
  const world = await createTenantWithSkill(db, inputsSchema ? { inputsSchema } : {});
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: world.tenant.id,
      name: "Every minute",
      skillId: world.skill.id,
      agentId: world.agent.id,
      cron: "* * * * *",
      timezone: "UTC",
      nextFireAt: at("2026-11-24T09:00:00Z"),
      ...values,
    })
    .returning();
  return { ...world, schedule: schedule! };
}

const slotsOf = (scheduleId: string) =>
  db
    .select()
    .from(scheduleSlots)
    .where(eq(scheduleSlots.scheduleId, scheduleId))
    .orderBy(scheduleSlots.slotAt);
const runsOf = (scheduleId: string) =>
  db
    .select()
    .from(skillRuns)
    .where(eq(skillRuns.scheduleId, scheduleId))
    .orderBy(skillRuns.createdAt);
const scheduleRow = async (id: string) =>
  (await db.select().from(schedules).where(eq(schedules.id, id)))[0]!;

describe("fireDueSchedules", () => {
  it("fires each slot exactly once when two ticks race, 100 times, and dispatches each run once", async () => {
    const { schedule } = await scheduleFor({ overlapPolicy: "allow" });
    const start = at("2026-11-24T09:00:00Z");
    for (let minute = 0; minute < 100; minute++) {
      const now = minutes(start, minute);
      await Promise.all([fireDueSchedules(deps, { now }), fireDueSchedules(deps, { now })]);
    }
    const runs = await runsOf(schedule.id);
    const slots = await slotsOf(schedule.id);
    expect(runs).toHaveLength(100);
    expect(slots.map((slot) => slot.outcome)).toEqual(Array(100).fill("fired"));
    expect(new Set(slots.map((slot) => slot.runId)).size).toBe(100);
    expect(slots.map((slot) => slot.slotAt.toISOString())).toEqual(
      Array.from({ length: 100 }, (_, minute) => minutes(start, minute).toISOString()),
    );
    const [{ events }] = (await db.execute<{ events: number }>(sql`
      select count(*)::int as events from inngest_engine.events
      where name = ${RUN_REQUESTED} and payload -> 'data' ->> 'runId' in (select id::text from skill_runs where schedule_id = ${schedule.id})`)) as unknown as [
      { events: number },
    ];
    expect(events).toBe(100);
    expect((await scheduleRow(schedule.id)).nextFireAt?.toISOString()).toBe(
      minutes(start, 100).toISOString(),
    );
  });

  it("skips a slot while the previous run is still queued or running, then fires again", async () => {
    const { schedule } = await scheduleFor();
    const now = at("2026-11-24T09:00:00Z");
    await fireDueSchedules(deps, { now });
    await fireDueSchedules(deps, { now: minutes(now, 1) });
    const [first] = await runsOf(schedule.id);
    expect((await slotsOf(schedule.id)).map((slot) => [slot.outcome, slot.runId])).toEqual([
      ["fired", first!.id],
      ["skipped", first!.id],
    ]);
    await db
      .update(skillRuns)
      .set({ status: "complete", finishedAt: new Date() })
      .where(eq(skillRuns.id, first!.id));
    await fireDueSchedules(deps, { now: minutes(now, 2) });
    expect((await slotsOf(schedule.id)).map((slot) => slot.outcome)).toEqual([
      "fired",
      "skipped",
      "fired",
    ]);
  });

  it("after an outage fires once for the latest slot and records the earlier ones as missed", async () => {
    const { schedule } = await scheduleFor({
      cron: "*/5 * * * *",
      nextFireAt: at("2026-11-24T09:00:00Z"),
    });
    const now = at("2026-11-24T10:02:00Z");
    await fireDueSchedules(deps, { now });
    const slots = await slotsOf(schedule.id);
    expect(
      slots
        .filter((slot) => slot.outcome === "missed")
        .map((slot) => slot.slotAt.toISOString().slice(11, 16)),
    ).toEqual([
      "09:00",
      "09:05",
      "09:10",
      "09:15",
      "09:20",
      "09:25",
      "09:30",
      "09:35",
      "09:40",
      "09:45",
      "09:50",
      "09:55",
    ]);
    expect(slots.at(-1)).toMatchObject({ outcome: "fired", slotAt: at("2026-11-24T10:00:00Z") });
    expect(await runsOf(schedule.id)).toHaveLength(1);
    expect((await scheduleRow(schedule.id)).nextFireAt).toEqual(at("2026-11-24T10:05:00Z"));
  });

  it("fails the slot's run visibly when the engine cannot be reached, and still records the slot", async () => {
    const { schedule } = await scheduleFor();
    const unreachable: RunServiceDeps = {
      db,
      dispatcher: new Inngest({ id: "schedules-test", isDev: true, baseUrl: "http://127.0.0.1:9" }),
    };
    await fireDueSchedules(unreachable, { now: at("2026-11-24T09:00:00Z") });
    const [run] = await runsOf(schedule.id);
    expect(run).toMatchObject({ status: "failed", failureCode: "dispatch_failed" });
    expect(await slotsOf(schedule.id)).toMatchObject([{ outcome: "fired", runId: run!.id }]);
  });

  it("a schedule that can no longer be read disables itself; the rest of the batch still fires", async () => {
    const broken = await scheduleFor({ timezone: "Mars/Olympus" });
    const healthy = await scheduleFor();
    await fireDueSchedules(deps, { now: at("2026-11-24T09:00:00Z") });
    expect(await scheduleRow(broken.schedule.id)).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining("could not be read"),
    });
    expect(await slotsOf(broken.schedule.id)).toMatchObject([{ outcome: "failed" }]);
    expect(await slotsOf(healthy.schedule.id)).toMatchObject([{ outcome: "fired" }]);
  });

  it("an edit that keeps the cadence keeps the pending slot, so it still fires", async () => {
    const editor = { actor: { type: "system" as const, id: null }, origin: null };
    const { schedule, skill, agent, tenant } = await scheduleFor({
      nextFireAt: at("2026-11-24T09:00:00Z"),
    });
    const edit = {
      name: "Renamed",
      skillId: skill.id,
      agentId: agent.id,
      inputs: {},
      cron: "* * * * *",
      timezone: "UTC",
      overlapPolicy: "skip" as const,
      enabled: true,
    };
    await updateSchedule(
      db,
      { tenantId: tenant.id, scheduleId: schedule.id, audit: editor },
      edit,
      at("2026-11-24T09:00:30Z"),
    );
    await setScheduleEnabled(
      db,
      { tenantId: tenant.id, scheduleId: schedule.id, audit: editor },
      true,
      at("2026-11-24T09:00:40Z"),
    );
    expect((await scheduleRow(schedule.id)).nextFireAt).toEqual(at("2026-11-24T09:00:00Z"));
    await fireDueSchedules(deps, { now: at("2026-11-24T09:00:50Z") });
    expect(await slotsOf(schedule.id)).toMatchObject([
      { outcome: "fired", slotAt: at("2026-11-24T09:00:00Z") },
    ]);
    await updateSchedule(
      db,
      { tenantId: tenant.id, scheduleId: schedule.id, audit: editor },
      { ...edit, cron: "0 * * * *" },
      at("2026-11-24T09:01:00Z"),
    );
    expect((await scheduleRow(schedule.id)).nextFireAt).toEqual(at("2026-11-24T10:00:00Z"));
  });

  it("never fires a disabled schedule", async () => {
    const { schedule } = await scheduleFor({ enabled: false });
    await fireDueSchedules(deps, { now: at("2026-11-24T12:00:00Z") });
    expect(await slotsOf(schedule.id)).toEqual([]);
    expect(await runsOf(schedule.id)).toEqual([]);
  });

  it("records a failed slot and disables itself, visibly, when its skill or agent is gone", async () => {
    const retired = await scheduleFor();
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, retired.skill.id));
    const orphaned = await scheduleFor();
    await db.delete(agents).where(eq(agents.id, orphaned.agent.id));
    await fireDueSchedules(deps, { now: at("2026-11-24T09:00:00Z") });

    for (const [{ schedule }, reason] of [
      [retired, "The schedule's skill was removed from the catalog."],
      [orphaned, "The schedule's agent was deleted."],
    ] as const) {
      expect(await slotsOf(schedule.id)).toMatchObject([
        { outcome: "failed", reason: `${reason} The schedule was disabled.` },
      ]);
      expect(await scheduleRow(schedule.id)).toMatchObject({
        enabled: false,
        disabledReason: reason,
        nextFireAt: null,
      });
      expect(await runsOf(schedule.id)).toEqual([]);
    }
  });

  it("runs the tenant's default agent when the schedule names none, with relative dates resolved in its timezone", async () => {
    const inputs: Record<string, ScheduleInputValue> = {
      topic: { kind: "literal", value: "Pipeline" },
      day: { kind: "relative-date", anchor: "today", offsetDays: 1 },
    };
    const { schedule, agent } = await scheduleFor({
      agentId: null,
      usesDefaultAgent: true,
      timezone: "Pacific/Auckland",
      inputs,
      inputsSchema: {
        type: "object",
        required: ["topic", "day"],
        properties: { topic: { type: "string" }, day: { type: "string", format: "date" } },
      },
    });
    await fireDueSchedules(deps, { now: at("2026-11-24T12:00:00Z") }); // already 25 Nov in Auckland
    const [run] = await runsOf(schedule.id);
    expect(run).toMatchObject({
      source: "schedule",
      agentId: agent.id,
      inputs: { topic: "Pipeline", day: "2026-11-26" },
    });
  });

  it("disables a schedule whose inputs no longer fit the skill, naming the field", async () => {
    const { schedule } = await scheduleFor({
      inputsSchema: {
        type: "object",
        required: ["topic"],
        properties: { topic: { type: "string" } },
      },
    });
    await fireDueSchedules(deps, { now: at("2026-11-24T09:00:00Z") });
    expect(await scheduleRow(schedule.id)).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining("topic is required"),
    });
    expect(
      await db
        .select()
        .from(skillRuns)
        .where(and(eq(skillRuns.scheduleId, schedule.id))),
    ).toEqual([]);
  });
});
