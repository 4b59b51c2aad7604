/**
 * Every way a run starts refuses with `budget_exceeded` once the tenant's month is at its hard
 * limit, and changes nothing: Run now and re-run (tRPC), a schedule's "Run now", the REST API,
 * a webhook delivery (which logs the refused delivery, as it logs every refusal) and the
 * schedules tick (which records the slot as `skipped_budget` and keeps the schedule on).
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  scheduleSlots,
  schedules,
  skillRuns,
  tenantBudgets,
  webhookDeliveries,
} from "@/server/db/schema";
import { createRunsApi } from "@/server/rest/runs-api";
import { createWebhookReceiver } from "@/server/rest/webhook-receiver";
import { createApiKey } from "@/server/services/access/api-keys";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { createWebhook } from "@/server/services/webhooks/webhooks";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
  signIn,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
const dispatcher: RunDispatcher = {
  send: (events) =>
    Promise.resolve({
      ids: (Array.isArray(events) ? events : [events]).map((event) => event.id ?? ""),
    }),
};

let world: Awaited<ReturnType<typeof createTenantWithSkill>>;
let caller: Awaited<ReturnType<typeof callerFor>>;
let ownerId: string;
let earlierRunId: string;
let scheduleId: string;

beforeAll(async () => {
  world = await createTenantWithSkill(db);
  const owner = await createUser(db, [{ tenantId: world.tenant.id, role: "owner" }]);
  ownerId = owner.id;
  caller = await callerFor(db, auth, await signIn(auth, owner.email), dispatcher);
  // One complete run of $0.10 this month, before the budget existed.
  const [earlier] = await db
    .insert(skillRuns)
    .values({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      agentId: world.agent.id,
      source: "manual",
      inputs: {},
      status: "complete",
      inputTokens: 250_000,
      outputTokens: 0,
      costUsd: "0.100000",
    })
    .returning({ id: skillRuns.id });
  earlierRunId = earlier!.id;
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: world.tenant.id,
      name: "Hourly",
      skillId: world.skill.id,
      agentId: world.agent.id,
      cron: "0 * * * *",
      timezone: "UTC",
      nextFireAt: new Date(Date.now() - 60_000),
    })
    .returning({ id: schedules.id });
  scheduleId = schedule!.id;
  await caller.budgets.update({ softLimitUsd: null, hardLimitUsd: 0.1, timezone: "UTC" });
});

const BUDGET_MESSAGE = /monthly budget is used up: \$0\.100 of its \$0\.100 hard limit/;

describe("every start path at the hard limit", () => {
  it("Run now (tRPC) is refused with the budget's message and changes nothing", async () => {
    const before = await fingerprintTables(db);
    expect(
      await trpcFailure(caller.runs.start({ skillSlug: world.skill.slug, inputs: {} })),
    ).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(BUDGET_MESSAGE),
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("a re-run (tRPC) is refused and changes nothing", async () => {
    const before = await fingerprintTables(db);
    expect(await trpcFailure(caller.runs.rerun({ runId: earlierRunId }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(BUDGET_MESSAGE),
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("a schedule's Run now is refused and changes nothing", async () => {
    const before = await fingerprintTables(db);
    expect(await trpcFailure(caller.schedules.runNow({ scheduleId }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(BUDGET_MESSAGE),
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("the REST API answers 409 budget_exceeded and changes nothing", async () => {
    const { key } = await createApiKey(
      db,
      {
        tenantId: world.tenant.id,
        userId: ownerId,
        userRole: "owner",
        audit: { actor: { type: "user", id: ownerId }, origin: null },
      },
      { name: "budget probe", role: "operator" },
    );
    const api = createRunsApi({ db: () => db, dispatcher });
    const before = await fingerprintTables(db);
    const response = await api.start(
      new Request("http://localhost/api/v1/runs", {
        method: "POST",
        body: JSON.stringify({ skill: world.skill.slug, inputs: {} }),
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: { code: "budget_exceeded", message: expect.stringMatching(BUDGET_MESSAGE) },
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("a webhook delivery answers 409 budget_exceeded, logs the refusal and starts nothing", async () => {
    const { id, secret } = await createWebhook(
      db,
      {
        tenantId: world.tenant.id,
        userId: ownerId,
        audit: { actor: { type: "user", id: ownerId }, origin: null },
      },
      {
        name: "Probe",
        skillId: world.skill.id,
        agentId: null,
        inputMapping: {},
        rateLimitPerMinute: 60,
        enabled: true,
      },
    );
    const receive = createWebhookReceiver({ db: () => db, dispatcher, now: () => new Date() });
    const runsBefore = await db
      .select({ id: skillRuns.id })
      .from(skillRuns)
      .where(eq(skillRuns.tenantId, world.tenant.id));
    const body = JSON.stringify({ event: randomUUID() });
    const response = await receive(
      new Request(`http://localhost/api/webhooks/${id}`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "skillrun-signature": signWebhookBody(secret, body, Math.floor(Date.now() / 1000)),
          "skillrun-delivery-id": randomUUID(),
        },
      }),
      id,
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: { code: "budget_exceeded", message: expect.stringMatching(BUDGET_MESSAGE) },
    });
    expect(
      await db
        .select({ id: skillRuns.id })
        .from(skillRuns)
        .where(eq(skillRuns.tenantId, world.tenant.id)),
    ).toEqual(runsBefore);
    const [delivery] = await db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, id));
    expect(delivery).toMatchObject({
      verdict: "failed",
      httpStatus: 409,
      runId: null,
      error: expect.stringMatching(BUDGET_MESSAGE),
    });
  });

  it("the schedules tick records the slot as skipped_budget, starts nothing and keeps the schedule on; a raised limit fires it again", async () => {
    const now = new Date();
    const summary = await fireDueSchedules({ db, dispatcher }, { now });
    expect(summary.skipped_budget).toBe(1);
    const [slot] = await db
      .select()
      .from(scheduleSlots)
      .where(eq(scheduleSlots.scheduleId, scheduleId));
    expect(slot).toMatchObject({
      outcome: "skipped_budget",
      runId: null,
      reason: expect.stringMatching(BUDGET_MESSAGE),
    });
    const [schedule] = await db.select().from(schedules).where(eq(schedules.id, scheduleId));
    expect(schedule).toMatchObject({ enabled: true, disabledReason: null });
    expect(schedule?.nextFireAt?.getTime()).toBeGreaterThan(now.getTime());
    const scheduleRuns = await db
      .select()
      .from(skillRuns)
      .where(and(eq(skillRuns.tenantId, world.tenant.id), eq(skillRuns.source, "schedule")));
    expect(scheduleRuns).toEqual([]);

    // The next month behaves as a raised limit does: nothing is left to reset.
    await db
      .update(tenantBudgets)
      .set({ hardLimitUsd: "5.000000" })
      .where(eq(tenantBudgets.tenantId, world.tenant.id));
    await db
      .update(schedules)
      .set({ nextFireAt: new Date(Date.now() - 1_000) })
      .where(eq(schedules.id, scheduleId));
    expect((await fireDueSchedules({ db, dispatcher }, { now: new Date() })).fired).toBe(1);
  });
});
