import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { describe, expect, it } from "vitest";
import * as schema from "@/server/db/schema";
import { scheduleSlots, schedules, skillRuns } from "@/server/db/schema";
import type { RunStatus, ScheduleSlotOutcome } from "@/server/db/schema/enums";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import {
  getSchedule,
  listSchedules,
  listScheduleSlots,
  RECENT_SLOTS_FOR_STREAK,
} from "./schedules";

const { db } = openTestDatabase();

const start = new Date("2026-11-24T09:00:00Z");
const minute = (count: number) => new Date(start.getTime() + count * 60_000);

async function scheduleOfNewTenant() {
  const world = await createTenantWithSkill(db);
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: world.tenant.id,
      name: "Every minute",
      skillId: world.skill.id,
      agentId: world.agent.id,
      cron: "* * * * *",
      timezone: "UTC",
      nextFireAt: minute(1_000),
    })
    .returning();
  return { ...world, schedule: schedule! };
}
type World = Awaited<ReturnType<typeof scheduleOfNewTenant>>;

/** A ledger row at `minute(at)`; with a run of the tenant in `runStatus` when given. */
async function recordSlot(
  world: World,
  at: number,
  outcome: ScheduleSlotOutcome,
  runStatus?: RunStatus,
) {
  const [run] = runStatus
    ? await db
        .insert(skillRuns)
        .values({
          tenantId: world.tenant.id,
          skillId: world.skill.id,
          skillVersion: "v1",
          source: "schedule",
          scheduleId: world.schedule.id,
          inputs: {},
          status: runStatus,
        })
        .returning({ id: skillRuns.id })
    : [];
  await db.insert(scheduleSlots).values({
    tenantId: world.tenant.id,
    scheduleId: world.schedule.id,
    slotAt: minute(at),
    outcome,
    runId: run?.id ?? null,
  });
  return run?.id ?? null;
}

const lastSlotOf = async (world: World) =>
  (await getSchedule(db, world.tenant.id, world.schedule.id)).lastSlot;

describe("a schedule's last slot", () => {
  it("is absent before the first slot", async () => {
    const world = await scheduleOfNewTenant();
    expect(await lastSlotOf(world)).toBeNull();
    expect(await listSchedules(db, world.tenant.id)).toMatchObject([
      { id: world.schedule.id, lastSlot: null },
    ]);
  });

  it("reads as failed when the slot fired a run that then failed", async () => {
    const world = await scheduleOfNewTenant();
    await recordSlot(world, 0, "fired", "complete");
    await recordSlot(world, 1, "fired", "failed");
    expect(await lastSlotOf(world)).toEqual({ health: "failed", failingStreak: 1 });
  });

  it("is the newest slot by slot time, whatever order the ledger was written in", async () => {
    const world = await scheduleOfNewTenant();
    await recordSlot(world, 5, "fired", "complete");
    await recordSlot(world, 3, "fired", "failed");
    await recordSlot(world, 4, "fired", "failed");
    expect(await lastSlotOf(world)).toEqual({ health: "ok", failingStreak: 0 });
  });

  it("keeps the meaning of a slot that started no run: skipped, missed, not started", async () => {
    const skipped = await scheduleOfNewTenant();
    await recordSlot(skipped, 0, "skipped", "running");
    const missed = await scheduleOfNewTenant();
    await recordSlot(missed, 0, "missed");
    const notStarted = await scheduleOfNewTenant();
    await recordSlot(notStarted, 0, "failed");
    expect([
      await lastSlotOf(skipped),
      await lastSlotOf(missed),
      await lastSlotOf(notStarted),
    ]).toEqual([
      { health: "skipped", failingStreak: 0 },
      { health: "missed", failingStreak: 0 },
      { health: "not_started", failingStreak: 0 },
    ]);
  });
});

describe("a schedule's failing streak", () => {
  it("counts the most recent finished runs that failed in a row, past slots without a finished run of their own", async () => {
    const world = await scheduleOfNewTenant();
    await recordSlot(world, 0, "fired", "failed");
    await recordSlot(world, 1, "fired", "complete");
    await recordSlot(world, 2, "fired", "failed");
    await recordSlot(world, 3, "missed");
    await recordSlot(world, 4, "fired", "failed");
    await recordSlot(world, 5, "skipped", "running");
    await recordSlot(world, 6, "fired", "failed");
    await recordSlot(world, 7, "fired", "running");
    expect(await listSchedules(db, world.tenant.id)).toMatchObject([
      { lastSlot: { health: "running", failingStreak: 3 } },
    ]);
  });

  it("ends at a cancelled run", async () => {
    const world = await scheduleOfNewTenant();
    await recordSlot(world, 0, "fired", "failed");
    await recordSlot(world, 1, "fired", "cancelled");
    await recordSlot(world, 2, "fired", "failed");
    await recordSlot(world, 3, "fired", "failed");
    expect(await lastSlotOf(world)).toEqual({ health: "failed", failingStreak: 2 });
  });

  it(`reads only the last ${RECENT_SLOTS_FOR_STREAK} slots, however long the ledger`, async () => {
    const world = await scheduleOfNewTenant();
    for (let at = 0; at < RECENT_SLOTS_FOR_STREAK + 5; at++)
      await recordSlot(world, at, "fired", "failed");
    expect(await lastSlotOf(world)).toEqual({
      health: "failed",
      failingStreak: RECENT_SLOTS_FOR_STREAK,
    });
  });

  it("is worked out per schedule, and each tenant lists only its own", async () => {
    const failing = await scheduleOfNewTenant();
    const [healthy] = await db
      .insert(schedules)
      .values({
        tenantId: failing.tenant.id,
        name: "Hourly",
        skillId: failing.skill.id,
        agentId: failing.agent.id,
        cron: "0 * * * *",
        timezone: "UTC",
      })
      .returning();
    await recordSlot(failing, 0, "fired", "failed");
    await recordSlot(failing, 1, "fired", "failed");
    await recordSlot({ ...failing, schedule: healthy! }, 0, "fired", "complete");
    const other = await scheduleOfNewTenant();
    await recordSlot(other, 0, "fired", "failed");

    expect(await listSchedules(db, failing.tenant.id)).toMatchObject([
      { name: "Every minute", lastSlot: { health: "failed", failingStreak: 2 } },
      { name: "Hourly", lastSlot: { health: "ok", failingStreak: 0 } },
    ]);
    expect(await listSchedules(db, other.tenant.id)).toMatchObject([
      { id: other.schedule.id, lastSlot: { health: "failed", failingStreak: 1 } },
    ]);
  });

  it("never reads another tenant's run, even when a slot points at one", async () => {
    const mine = await scheduleOfNewTenant();
    const theirs = await scheduleOfNewTenant();
    const theirRunId = await recordSlot(theirs, 0, "fired", "complete");
    await db.insert(scheduleSlots).values({
      tenantId: mine.tenant.id,
      scheduleId: mine.schedule.id,
      slotAt: minute(0),
      outcome: "fired",
      runId: theirRunId,
    });
    expect(await lastSlotOf(mine)).toEqual({ health: "unknown", failingStreak: 0 });
  });
});

type PlanNode = { "Relation Name"?: string; "Actual Rows": number; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe("reading the ledger", () => {
  it("reads a few of each schedule's newest ledger rows, never its whole ledger", async () => {
    const world = await scheduleOfNewTenant();
    const longLedger = Array.from({ length: 3_000 }, (_, at) => ({
      tenantId: world.tenant.id,
      scheduleId: world.schedule.id,
      slotAt: minute(at),
      outcome: "missed" as const,
    }));
    await db.insert(scheduleSlots).values(longLedger);
    await recordSlot(world, 3_000, "fired", "failed");
    await db.execute(sql`analyze schedule_slots`);

    let statement: { query: string; params: unknown[] } | undefined;
    const recorded = drizzle(db.$client, {
      schema,
      casing: "snake_case",
      logger: { logQuery: (query, params) => (statement = { query, params }) },
    });
    const readRows = async (read: () => Promise<unknown>) => {
      await read();
      const [
        {
          "QUERY PLAN": [plan],
        },
      ] = await db.$client.unsafe<[{ "QUERY PLAN": [{ Plan: PlanNode }] }]>(
        `explain (analyze, format json) ${statement!.query}`,
        statement!.params as never[],
      );
      return nodesOf(plan.Plan)
        .filter((node) => node["Relation Name"] === "schedule_slots")
        .map((node) => node["Actual Rows"]);
    };
    // A bare `order by slot_at desc` made PostgreSQL read all 3,001 rows and sort them.
    expect(await readRows(() => listSchedules(recorded, world.tenant.id))).toEqual([
      RECENT_SLOTS_FOR_STREAK,
    ]);
    expect(
      await readRows(() => listScheduleSlots(recorded, world.tenant.id, world.schedule.id, 50)),
    ).toEqual([50]);
  });
});
