/**
 * The audit log: one entry per audited change, written with the change (so none when the
 * change is refused), with the right actor, target and origin; and `audit.list`'s filters,
 * pages and tenant scoping.
 */
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { auditLog, schedules, skillRuns } from "@/server/db/schema";
import { createRunsApi } from "@/server/rest/runs-api";
import { recordAudit } from "@/server/services/access/audit";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import { AUDIT_PAGE_SIZE } from "@/server/trpc/routers/audit";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
/** Accepts every event: runs stay queued, nothing executes them. */
const dispatcher: RunDispatcher = { send: async () => ({ ids: [] }) };
const ADDRESS = "203.0.113.7";

async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  const headers = await signIn(auth, user.email);
  headers.set("x-forwarded-for", `${ADDRESS}, 10.0.0.1`);
  return { user, caller: await callerFor(db, auth, headers, dispatcher) };
}

const entriesOf = (tenantId: string) =>
  db.select().from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(asc(auditLog.id));
const refused = (promise: Promise<unknown>) => expect(promise).rejects.toThrow();

const scheduleInput = (skillId: string, agentId: string) => ({
  name: "Morning digest",
  skillId,
  agentId,
  inputs: {},
  cron: "0 9 * * *",
  timezone: "UTC",
  overlapPolicy: "skip" as const,
  enabled: true,
});

describe("audit entries, one per change", () => {
  it("run start, idempotent repeat, cancel and re-run through tRPC", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, {
      inputsSchema: {
        type: "object",
        required: ["topic"],
        properties: { topic: { type: "string" } },
      },
    });
    const { user, caller } = await member(tenant.id, "operator");
    const actor = { actorType: "user", actorId: user.id, origin: ADDRESS, tenantId: tenant.id };

    await refused(caller.runs.start({ skillSlug: skill.slug, inputs: { topic: 7 } }));
    expect(await entriesOf(tenant.id)).toEqual([]);

    const { runId } = await caller.runs.start({
      skillSlug: skill.slug,
      inputs: { topic: "x" },
      idempotencyKey: "once",
    });
    const again = await caller.runs.start({
      skillSlug: skill.slug,
      inputs: { topic: "x" },
      idempotencyKey: "once",
    });
    expect(again).toMatchObject({ runId, created: false });
    await caller.runs.cancel({ runId });
    await refused(caller.runs.cancel({ runId }));
    const rerun = await caller.runs.rerun({ runId });
    await refused(caller.runs.rerun({ runId, inputs: { topic: 7 } }));

    expect(await entriesOf(tenant.id)).toEqual([
      expect.objectContaining({
        ...actor,
        action: "run.start",
        targetType: "run",
        targetId: runId,
        metadata: { source: "manual" },
      }),
      expect.objectContaining({
        ...actor,
        action: "run.cancel",
        targetType: "run",
        targetId: runId,
      }),
      expect.objectContaining({
        ...actor,
        action: "run.rerun",
        targetType: "run",
        targetId: rerun.runId,
        metadata: { source: "rerun", parentRunId: runId },
      }),
    ]);
  });

  it("run start and cancel through REST, with the key as the actor", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const { caller } = await member(tenant.id, "owner");
    const key = await caller.apiKeys.create({ name: "CI", role: "operator" });
    const api = createRunsApi({ db: () => db, dispatcher });
    const call = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
      new Request(`http://localhost/api/v1${path}`, {
        method: "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          authorization: `Bearer ${key.key}`,
          "content-type": "application/json",
          "x-forwarded-for": "198.51.100.4",
          ...headers,
        },
      });

    expect((await api.start(call("/runs", { skill: "no-such-skill", inputs: {} }))).status).toBe(
      404,
    );
    const first = await api.start(
      call("/runs", { skill: skill.slug, inputs: {} }, { "idempotency-key": "k1" }),
    );
    const { id: runId } = (await first.json()) as { id: string };
    expect(
      (
        await api.start(
          call("/runs", { skill: skill.slug, inputs: {} }, { "idempotency-key": "k1" }),
        )
      ).status,
    ).toBe(200);
    expect((await api.cancel(call(`/runs/${runId}/cancel`), runId)).status).toBe(200);

    const entries = (await entriesOf(tenant.id)).filter((entry) => entry.actorType === "api_key");
    expect(entries).toEqual([
      expect.objectContaining({
        actorId: key.id,
        action: "run.start",
        targetType: "run",
        targetId: runId,
        origin: "198.51.100.4",
        metadata: { source: "api" },
      }),
      expect.objectContaining({
        actorId: key.id,
        action: "run.cancel",
        targetType: "run",
        targetId: runId,
        origin: "198.51.100.4",
      }),
    ]);
  });

  it("schedule create, update, disable, enable, run now and delete; refused changes log nothing", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const { user, caller } = await member(tenant.id, "admin");
    const actor = { actorType: "user", actorId: user.id, origin: ADDRESS };

    await refused(
      caller.schedules.create({ ...scheduleInput(skill.id, agent.id), cron: "not a cron" }),
    );
    const { id } = await caller.schedules.create(scheduleInput(skill.id, agent.id));
    await refused(
      caller.schedules.update({
        scheduleId: id,
        schedule: { ...scheduleInput(skill.id, agent.id), timezone: "Mars/Olympus" },
      }),
    );
    await caller.schedules.update({
      scheduleId: id,
      schedule: { ...scheduleInput(skill.id, agent.id), name: "Evening digest" },
    });
    await caller.schedules.setEnabled({ scheduleId: id, enabled: true }); // already enabled: no change
    await caller.schedules.setEnabled({ scheduleId: id, enabled: false });
    await caller.schedules.setEnabled({ scheduleId: id, enabled: true });
    const { runId } = await caller.schedules.runNow({ scheduleId: id });
    await caller.schedules.delete({ scheduleId: id });
    await refused(caller.schedules.delete({ scheduleId: id }));

    const target = { targetType: "schedule", targetId: id };
    expect(await entriesOf(tenant.id)).toEqual([
      expect.objectContaining({
        ...actor,
        ...target,
        action: "schedule.create",
        metadata: { name: "Morning digest" },
      }),
      expect.objectContaining({
        ...actor,
        ...target,
        action: "schedule.update",
        metadata: { name: "Evening digest" },
      }),
      expect.objectContaining({ ...actor, ...target, action: "schedule.disable" }),
      expect.objectContaining({ ...actor, ...target, action: "schedule.enable" }),
      expect.objectContaining({
        ...actor,
        ...target,
        action: "schedule.run_now",
        metadata: { name: "Evening digest", runId },
      }),
      expect.objectContaining({
        ...actor,
        ...target,
        action: "schedule.delete",
        metadata: { name: "Evening digest" },
      }),
    ]);
  });

  it("the tick logs each run it starts as the schedule's, and each schedule it disables as Skillrun's, once", async () => {
    const due = new Date("2020-01-01T09:00:00Z");
    const world = await createTenantWithSkill(db);
    const [firing, orphaned] = await db
      .insert(schedules)
      .values([
        {
          tenantId: world.tenant.id,
          name: "Fires",
          skillId: world.skill.id,
          agentId: world.agent.id,
          cron: "0 9 * * *",
          timezone: "UTC",
          nextFireAt: due,
        },
        // Its agent was deleted: the tick disables it.
        {
          tenantId: world.tenant.id,
          name: "Orphaned",
          skillId: world.skill.id,
          agentId: null,
          usesDefaultAgent: false,
          cron: "0 9 * * *",
          timezone: "UTC",
          nextFireAt: due,
        },
      ])
      .returning();
    await fireDueSchedules({ db, dispatcher }, { now: new Date("2020-01-01T09:00:30Z") });
    await fireDueSchedules({ db, dispatcher }, { now: new Date("2020-01-01T09:00:40Z") });

    const [run] = await db
      .select({ id: skillRuns.id })
      .from(skillRuns)
      .where(eq(skillRuns.scheduleId, firing!.id));
    const entries = await entriesOf(world.tenant.id);
    expect(entries).toHaveLength(2);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actorType: "schedule",
          actorId: firing!.id,
          action: "run.start",
          targetType: "run",
          targetId: run!.id,
          origin: "scheduler",
        }),
        expect.objectContaining({
          actorType: "system",
          actorId: null,
          action: "schedule.disable",
          targetType: "schedule",
          targetId: orphaned!.id,
          origin: "scheduler",
        }),
      ]),
    );
  });

  it("API key create and revoke, never the key itself; a refused or repeated change logs nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const { user, caller } = await member(tenant.id, "admin");
    await refused(caller.apiKeys.create({ name: "Too high", role: "owner" }));
    const key = await caller.apiKeys.create({ name: "Deploy", role: "operator" });
    await caller.apiKeys.revoke({ keyId: key.id });
    await caller.apiKeys.revoke({ keyId: key.id });
    await refused(caller.apiKeys.revoke({ keyId: randomUUID() }));

    const entries = await entriesOf(tenant.id);
    expect(entries).toEqual([
      expect.objectContaining({
        actorType: "user",
        actorId: user.id,
        origin: ADDRESS,
        action: "api_key.create",
        targetType: "api_key",
        targetId: key.id,
        metadata: { name: "Deploy", role: "operator", prefix: key.prefix },
      }),
      expect.objectContaining({
        actorType: "user",
        actorId: user.id,
        origin: ADDRESS,
        action: "api_key.revoke",
        targetType: "api_key",
        targetId: key.id,
        metadata: { name: "Deploy" },
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(key.key);
  });
});

describe("audit.list", () => {
  it("is for admins, names actors and targets, and filters by action, actor type and target", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    const key = await admin.caller.apiKeys.create({ name: "Nightly", role: "operator" });
    const { runId } = await operator.caller.runs.start({ skillSlug: skill.slug, inputs: {} });
    await operator.caller.runs.cancel({ runId });

    await expect(operator.caller.audit.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    const all = await admin.caller.audit.list({});
    expect(all.nextCursor).toBeNull();
    expect(all.entries.map((entry) => entry.action)).toEqual([
      "run.cancel",
      "run.start",
      "api_key.create",
    ]);
    expect(all.entries[1]).toMatchObject({
      actor: {
        type: "user",
        id: operator.user.id,
        name: expect.any(String),
        email: operator.user.email,
      },
      target: { type: "run", id: runId, name: skill.name },
      origin: ADDRESS,
    });
    expect(all.entries[2]).toMatchObject({
      actor: { type: "user", id: admin.user.id },
      target: { type: "api_key", id: key.id, name: "Nightly" },
    });

    const actions = (input: Parameters<typeof admin.caller.audit.list>[0]) =>
      admin.caller.audit.list(input).then((page) => page.entries.map((entry) => entry.action));
    expect(await actions({ actions: ["run.start", "api_key.create"] })).toEqual([
      "run.start",
      "api_key.create",
    ]);
    expect(await actions({ actorType: "api_key" })).toEqual([]);
    expect(await actions({ actorType: "user", targetId: runId })).toEqual([
      "run.cancel",
      "run.start",
    ]);
  });

  it("filters by time, from and to both included", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const at = (iso: string) => new Date(iso);
    await db.insert(auditLog).values(
      ["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"].map((iso) => ({
        tenantId: tenant.id,
        actorType: "system" as const,
        action: "schedule.disable",
        targetId: iso,
        at: at(iso),
      })),
    );
    const targets = (input: { from?: Date; to?: Date }) =>
      admin.caller.audit
        .list({ actorType: "system", ...input })
        .then((page) => page.entries.map((entry) => entry.target.id));
    expect(await targets({ from: at("2026-03-02T10:00:00Z") })).toEqual([
      "2026-03-03T10:00:00Z",
      "2026-03-02T10:00:00Z",
    ]);
    expect(await targets({ to: at("2026-03-02T10:00:00Z") })).toEqual([
      "2026-03-02T10:00:00Z",
      "2026-03-01T10:00:00Z",
    ]);
    expect(
      await targets({ from: at("2026-03-01T12:00:00Z"), to: at("2026-03-02T12:00:00Z") }),
    ).toEqual(["2026-03-02T10:00:00Z"]);
  });

  it("pages newest first with a keyset cursor, and never shows another tenant's entries", async () => {
    const mine = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    const admin = await member(mine.tenant.id, "admin");
    const entry = (tenantId: string, index: number) => ({
      tenantId,
      actor: { type: "system" as const, id: null },
      action: "schedule.disable" as const,
      target: { type: "schedule", id: `s-${index}` },
    });
    // More than a page, many sharing one timestamp (one transaction): the id breaks the ties.
    await db.transaction((tx) =>
      recordAudit(
        tx,
        Array.from({ length: AUDIT_PAGE_SIZE + 5 }, (_, index) => entry(mine.tenant.id, index)),
      ),
    );
    await recordAudit(db, [
      entry(theirs.tenant.id, 0),
      { ...entry(mine.tenant.id, 999), tenantId: null },
    ]);

    const first = await admin.caller.audit.list({});
    expect(first.entries).toHaveLength(AUDIT_PAGE_SIZE);
    expect(first.nextCursor).not.toBeNull();
    const second = await admin.caller.audit.list({ cursor: first.nextCursor });
    expect(second.nextCursor).toBeNull();
    const targets = [...first.entries, ...second.entries].map((row) => row.target.id);
    expect(targets).toEqual(
      Array.from({ length: AUDIT_PAGE_SIZE + 5 }, (_, index) => `s-${AUDIT_PAGE_SIZE + 4 - index}`),
    );

    // Another tenant's cursor positions nothing.
    const [theirEntry] = await entriesOf(theirs.tenant.id);
    expect((await admin.caller.audit.list({ cursor: { id: theirEntry!.id } })).entries).toEqual([]);
  });
});
