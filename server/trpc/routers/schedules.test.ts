import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { agents, schedules, skillRuns } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
let engine: Engine;
let dispatcher: Inngest;
beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "schedules-router-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

const world = () =>
  createTenantWithSkill(db, {
    inputsSchema: {
      type: "object",
      required: ["topic"],
      properties: {
        topic: { type: "string", title: "Topic" },
        day: { type: "string", format: "date" },
      },
    },
  });
async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  return callerFor(db, auth, await signIn(auth, user.email), dispatcher);
}
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return {
    code: error.code,
    fieldErrors: (error.cause as { fieldErrors?: Record<string, string[]> } | undefined)
      ?.fieldErrors,
  };
}
const countSchedules = async (tenantId: string) =>
  (await db.select().from(schedules).where(eq(schedules.tenantId, tenantId))).length;

const valid = (skillId: string, agentId: string | null) => ({
  name: "Weekday digest",
  skillId,
  agentId,
  inputs: {
    topic: { kind: "literal" as const, value: "Sales" },
    day: { kind: "relative-date" as const, anchor: "today" as const, offsetDays: 0 },
  },
  cron: "30 8 * * 1-5",
  timezone: "Europe/Berlin",
  overlapPolicy: "skip" as const,
  enabled: true,
});

describe("schedules router", () => {
  it("lets an admin create, read, disable, re-enable and delete a schedule with its next fire time", async () => {
    const { tenant, skill, agent } = await world();
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.schedules.create(valid(skill.id, agent.id));
    const created = await admin.schedules.get({ scheduleId: id });
    expect(created).toMatchObject({
      name: "Weekday digest",
      enabled: true,
      usesDefaultAgent: false,
      agent: { id: agent.id },
      skill: { id: skill.id },
      lastSlot: null,
    });
    expect(created.nextFireAt!.getTime()).toBeGreaterThan(Date.now());

    await admin.schedules.setEnabled({ scheduleId: id, enabled: false });
    expect(await admin.schedules.get({ scheduleId: id })).toMatchObject({
      enabled: false,
      nextFireAt: null,
    });
    await admin.schedules.setEnabled({ scheduleId: id, enabled: true });
    expect((await admin.schedules.get({ scheduleId: id })).nextFireAt).not.toBeNull();

    await admin.schedules.update({
      scheduleId: id,
      schedule: { ...valid(skill.id, null), name: "Renamed" },
    });
    expect(await admin.schedules.get({ scheduleId: id })).toMatchObject({
      name: "Renamed",
      usesDefaultAgent: true,
      agent: null,
    });
    expect((await admin.schedules.list()).map((schedule) => schedule.id)).toEqual([id]);

    await admin.schedules.delete({ scheduleId: id });
    expect(await countSchedules(tenant.id)).toBe(0);
  });

  it("refuses an invalid schedule with an error per field and creates nothing", async () => {
    const { tenant, skill } = await world();
    const theirs = await world();
    const admin = await member(tenant.id, "admin");
    const result = await failure(
      admin.schedules.create({
        ...valid(skill.id, theirs.agent.id),
        cron: "61 * * * *",
        inputs: { day: { kind: "literal", value: "someday" } },
      }),
    );
    expect(result).toEqual({
      code: "BAD_REQUEST",
      fieldErrors: {
        cron: ["Minute: 61 is out of range 0–59"],
        agentId: ["is not an agent of this tenant"],
      },
    });
    expect(
      await failure(
        admin.schedules.create({ ...valid(theirs.skill.id, null), timezone: "Mars/Olympus" }),
      ),
    ).toEqual({
      code: "BAD_REQUEST",
      fieldErrors: {
        timezone: ['"Mars/Olympus" is not an IANA timezone.'],
        skillId: ["is not a skill of this tenant"],
      },
    });
    expect(
      await failure(
        admin.schedules.create({
          ...valid(skill.id, null),
          inputs: { day: { kind: "literal", value: "someday" } },
        }),
      ),
    ).toEqual({
      code: "BAD_REQUEST",
      fieldErrors: {
        "inputs.topic": ["is required"],
        "inputs.day": ["must be a valid date (YYYY-MM-DD)"],
      },
    });
    // Inputs the skill does not declare are refused, not stored and sent to the model with every run.
    expect(
      await failure(
        admin.schedules.create({
          ...valid(skill.id, null),
          inputs: { ...valid(skill.id, null).inputs, extra: { kind: "literal", value: "x" } },
        }),
      ),
    ).toEqual({
      code: "BAD_REQUEST",
      fieldErrors: { "inputs.extra": ["is not an input of this skill"] },
    });
    expect(await countSchedules(tenant.id)).toBe(0);
  });

  it("runs a schedule now as an ordinary schedule run recorded in its ledger", async () => {
    const { tenant, skill, agent } = await world();
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    const { id } = await admin.schedules.create(valid(skill.id, agent.id));
    const { runId } = await operator.schedules.runNow({ scheduleId: id });
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({
      source: "schedule",
      scheduleId: id,
      inputs: { topic: "Sales", day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    });
    // A person is waiting: the engine gets it as a manual start, so it goes ahead of the backlog.
    const requested = await db.execute<{ data: unknown }>(
      sql`select payload -> 'data' as data from inngest_engine.events where payload -> 'data' ->> 'runId' = ${runId}`,
    );
    expect(requested.map((event) => event.data)).toEqual([
      { runId, tenantId: tenant.id, source: "manual" },
    ]);
    expect(await operator.schedules.slots({ scheduleId: id })).toMatchObject([
      { outcome: "fired", run: { id: runId, status: "queued" } },
    ]);
    // The slot fired, but its health is its run's: queued until the run ends, then how it ended.
    expect((await operator.schedules.get({ scheduleId: id })).lastSlot).toEqual({
      health: "queued",
      failingStreak: 0,
    });
    await db
      .update(skillRuns)
      .set({
        status: "failed",
        failureCode: "model_error",
        failureReason: "HTTP 400",
        finishedAt: new Date(),
      })
      .where(eq(skillRuns.id, runId));
    expect(await operator.schedules.list()).toMatchObject([
      { id, lastSlot: { health: "failed", failingStreak: 1 } },
    ]);
  });

  it("refuses to run or re-enable a schedule whose agent was deleted, naming the field", async () => {
    const { tenant, skill, agent } = await world();
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.schedules.create(valid(skill.id, agent.id));
    await admin.schedules.setEnabled({ scheduleId: id, enabled: false });
    await db.delete(agents).where(eq(agents.id, agent.id));
    for (const attempt of [
      admin.schedules.runNow({ scheduleId: id }),
      admin.schedules.setEnabled({ scheduleId: id, enabled: true }),
    ]) {
      expect(await failure(attempt)).toEqual({
        code: "BAD_REQUEST",
        fieldErrors: { agentId: ["was deleted; edit the schedule to choose another agent"] },
      });
    }
    expect(await admin.schedules.get({ scheduleId: id })).toMatchObject({ enabled: false });
  });

  it("enforces roles: viewers read, operators also run now, only admins manage", async () => {
    const { tenant, skill, agent } = await world();
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.schedules.create(valid(skill.id, agent.id));
    const viewer = await member(tenant.id, "viewer");
    const operator = await member(tenant.id, "operator");
    expect(await viewer.schedules.get({ scheduleId: id })).toMatchObject({ id });
    expect((await failure(viewer.schedules.runNow({ scheduleId: id }))).code).toBe("FORBIDDEN");
    for (const caller of [viewer, operator]) {
      expect((await failure(caller.schedules.create(valid(skill.id, agent.id)))).code).toBe(
        "FORBIDDEN",
      );
      expect(
        (
          await failure(
            caller.schedules.update({ scheduleId: id, schedule: valid(skill.id, agent.id) }),
          )
        ).code,
      ).toBe("FORBIDDEN");
      expect(
        (await failure(caller.schedules.setEnabled({ scheduleId: id, enabled: false }))).code,
      ).toBe("FORBIDDEN");
      expect((await failure(caller.schedules.delete({ scheduleId: id }))).code).toBe("FORBIDDEN");
    }
  });

  it("answers another tenant's schedule exactly like an unknown one, and lists only its own", async () => {
    const mine = await world();
    const theirs = await world();
    const theirAdmin = await member(theirs.tenant.id, "admin");
    const { id: theirId } = await theirAdmin.schedules.create(
      valid(theirs.skill.id, theirs.agent.id),
    );
    const owner = await member(mine.tenant.id, "owner");
    for (const scheduleId of [theirId, randomUUID()]) {
      expect((await failure(owner.schedules.get({ scheduleId }))).code).toBe("NOT_FOUND");
      expect((await failure(owner.schedules.slots({ scheduleId }))).code).toBe("NOT_FOUND");
      expect(
        (
          await failure(
            owner.schedules.update({ scheduleId, schedule: valid(mine.skill.id, null) }),
          )
        ).code,
      ).toBe("NOT_FOUND");
      expect((await failure(owner.schedules.setEnabled({ scheduleId, enabled: false }))).code).toBe(
        "NOT_FOUND",
      );
      expect((await failure(owner.schedules.delete({ scheduleId }))).code).toBe("NOT_FOUND");
      expect((await failure(owner.schedules.runNow({ scheduleId }))).code).toBe("NOT_FOUND");
    }
    expect(await owner.schedules.list()).toEqual([]);
    expect(await owner.schedules.list({ skillId: theirs.skill.id })).toEqual([]);
    expect(await theirAdmin.schedules.get({ scheduleId: theirId })).toMatchObject({
      enabled: true,
    });
  });
});
