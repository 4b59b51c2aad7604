import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "@/e2e/fixtures/smtp-sink";
import { ZERO_USAGE } from "@/server/agent/usage";
import { runDeliveries, schedules, skillRuns, webhooks } from "@/server/db/schema";
import { createChannel, deleteChannel } from "@/server/services/notify/channels";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { completeRun, markRunning } from "@/server/services/runs/run-lifecycle";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import {
  acceptDelivery,
  findDeliverableWebhook,
} from "@/server/services/webhooks/webhook-deliveries";
import { createWebhook } from "@/server/services/webhooks/webhooks";
import {
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure,
} from "@/test/fixtures";
import { attemptRunDelivery } from "./attempt";
import { queueDueDeliveries } from "./queue";

const { db, auth } = openTestDatabase();
const audit = { actor: { type: "user" as const, id: null }, origin: null };
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
/** Runs are created here, not run: each test finishes its run itself. */
const dispatched: unknown[] = [];
const recordingDispatcher: RunDispatcher = {
  send: async (events) => {
    dispatched.push(events);
    return { ids: [] };
  },
};

beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

async function emailChannel(tenantId: string) {
  const name = `Reports ${randomUUID().slice(0, 6)}`;
  const { id } = await createChannel(
    db,
    { tenantId, audit },
    {
      channel: {
        kind: "email",
        name,
        config: {
          recipients: [`team-${tenantId}@example.com`],
          smtpHost: "127.0.0.1",
          smtpPort: smtp.port,
          smtpSecurity: "none",
          from: "skillrun@example.com",
        },
      },
    },
  );
  return { id, name };
}

const deliveriesOf = (runId: string) =>
  db.select().from(runDeliveries).where(eq(runDeliveries.runId, runId));

/** Completes the run, lets the sweep queue its deliveries and attempts each once. */
async function completeAndDeliver(tenantId: string, runId: string, markdown: string) {
  await markRunning(db, { runId, tenantId });
  await completeRun(db, { runId, tenantId }, { markdown, masked: {}, usage: ZERO_USAGE });
  const mine = new Set((await deliveriesOf(runId)).map((row) => row.id));
  const queued = (await queueDueDeliveries(db, 1000)).filter((row) => mine.has(row.deliveryId));
  return Promise.all(queued.map((row) => attemptRunDelivery(db, row, true)));
}

const DELIVERABLE =
  "# Weekly report\n\n**All** checks passed. See [the board](https://example.com/b).";

describe("delivering a schedule's or webhook's runs to its channels", () => {
  it("a webhook's run is delivered, once complete, to its email channel as rendered HTML", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
    const channel = await emailChannel(tenant.id);
    const { id: webhookId } = await createWebhook(
      db,
      { tenantId: tenant.id, userId: admin.id, audit },
      {
        name: "Incidents",
        skillId: skill.id,
        agentId: null,
        inputMapping: {},
        rateLimitPerMinute: 60,
        enabled: true,
        deliveryChannelIds: [channel.id],
      },
    );
    const deliverable = await findDeliverableWebhook(db, webhookId);
    if (!deliverable) throw new Error("the webhook is not deliverable");
    const outcome = await acceptDelivery({ db, dispatcher: recordingDispatcher }, deliverable, {
      payload: {},
      deliveryId: null,
      bodyBytes: 2,
    });
    if (outcome.verdict !== "accepted") throw new Error(`not accepted: ${outcome.verdict}`);
    const runId = outcome.runId;
    // Written with the run, waiting for it to end.
    expect(await deliveriesOf(runId)).toEqual([
      expect.objectContaining({
        targetKind: "email",
        channelId: channel.id,
        target: channel.name,
        status: "waiting",
      }),
    ]);

    expect(await completeAndDeliver(tenant.id, runId, DELIVERABLE)).toEqual([{ status: "sent" }]);
    const mails = smtp.received.filter((mail) => mail.to.includes(`team-${tenant.id}@example.com`));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain("completed");
    expect(mails[0]?.text).toContain("# Weekly report");
    expect(mails[0]?.html).toContain("<h1>Weekly report</h1>");
    expect(mails[0]?.html).toContain("<strong>All</strong>");
    expect(mails[0]?.html).toContain('<a href="https://example.com/b">the board</a>');
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("a schedule's slot run gets one delivery per channel; a channel deleted since is dropped", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const kept = await emailChannel(tenant.id);
    const dropped = await emailChannel(tenant.id);
    const { caller } = await signedInMember(db, auth, tenant.id, "admin");
    const { id: scheduleId } = await caller.schedules.create({
      name: "Weekly",
      skillId: skill.id,
      agentId: agent.id,
      inputs: {},
      cron: "0 9 * * *",
      timezone: "UTC",
      overlapPolicy: "skip",
      enabled: true,
      deliveryChannelIds: [kept.id, dropped.id],
    });
    expect((await caller.schedules.get({ scheduleId })).deliveryChannelIds.sort()).toEqual(
      [kept.id, dropped.id].sort(),
    );
    await deleteChannel(db, { tenantId: tenant.id, audit }, dropped.id);
    expect((await caller.schedules.get({ scheduleId })).deliveryChannelIds).toEqual([kept.id]);

    const slot = new Date(Date.now() - 60_000);
    await db.update(schedules).set({ nextFireAt: slot }).where(eq(schedules.id, scheduleId));
    await fireDueSchedules({ db, dispatcher: recordingDispatcher }, { now: new Date() });
    const [run] = await db
      .select({ id: skillRuns.id })
      .from(skillRuns)
      .where(eq(skillRuns.scheduleId, scheduleId));
    if (!run) throw new Error("the slot started no run");
    expect(await deliveriesOf(run.id)).toEqual([
      expect.objectContaining({ channelId: kept.id, status: "waiting" }),
    ]);
    expect(await completeAndDeliver(tenant.id, run.id, DELIVERABLE)).toEqual([{ status: "sent" }]);
  });

  it("an update that omits the channels or the tags keeps them; an empty list clears them", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channel = await emailChannel(tenant.id);
    const { caller } = await signedInMember(db, auth, tenant.id, "admin");
    const schedule = {
      name: "Weekly",
      skillId: skill.id,
      agentId: agent.id,
      inputs: {},
      cron: "0 9 * * *",
      timezone: "UTC",
      overlapPolicy: "skip" as const,
      enabled: true,
    };
    const { id: scheduleId } = await caller.schedules.create({
      ...schedule,
      tags: ["team:ops"],
      deliveryChannelIds: [channel.id],
    });
    await caller.schedules.update({ scheduleId, schedule: { ...schedule, name: "Renamed" } });
    expect(await caller.schedules.get({ scheduleId })).toMatchObject({
      name: "Renamed",
      tags: ["team:ops"],
      deliveryChannelIds: [channel.id],
    });
    await caller.schedules.update({
      scheduleId,
      schedule: { ...schedule, tags: [], deliveryChannelIds: [] },
    });
    expect(await caller.schedules.get({ scheduleId })).toMatchObject({
      tags: [],
      deliveryChannelIds: [],
    });

    const webhook = {
      name: "Incidents",
      skillId: skill.id,
      agentId: null,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    };
    const { id: webhookId } = await caller.webhooks.create({
      ...webhook,
      tags: ["team:ops"],
      deliveryChannelIds: [channel.id],
    });
    await caller.webhooks.update({ webhookId, webhook: { ...webhook, name: "Renamed" } });
    const [kept] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
    expect(kept).toMatchObject({
      name: "Renamed",
      tags: ["team:ops"],
      deliveryChannelIds: [channel.id],
    });
    await caller.webhooks.update({
      webhookId,
      webhook: { ...webhook, tags: [], deliveryChannelIds: [] },
    });
    const [cleared] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
    expect(cleared).toMatchObject({ tags: [], deliveryChannelIds: [] });
  });

  it("refuses another tenant's channel like an unknown one, and changes nothing", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const foreign = await emailChannel(other.tenant.id);
    const { caller } = await signedInMember(db, auth, tenant.id, "admin");
    const schedule = {
      name: "Weekly",
      skillId: skill.id,
      agentId: agent.id,
      inputs: {},
      cron: "0 9 * * *",
      timezone: "UTC",
      overlapPolicy: "skip" as const,
      enabled: true,
    };
    const webhook = {
      name: "Incidents",
      skillId: skill.id,
      agentId: null,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    };
    const { id: webhookId } = await caller.webhooks.create(webhook);
    const before = await fingerprintTables(db);
    for (const channelId of [foreign.id, randomUUID()]) {
      const refusals = [
        await trpcFailure(
          caller.schedules.create({ ...schedule, deliveryChannelIds: [channelId] }),
        ),
        await trpcFailure(
          caller.webhooks.update({
            webhookId,
            webhook: { ...webhook, deliveryChannelIds: [channelId] },
          }),
        ),
      ];
      for (const refusal of refusals) {
        expect(refusal.code).toBe("BAD_REQUEST");
        expect(refusal.fieldErrors).toEqual({
          deliveryChannelIds: ["names a channel that does not exist"],
        });
      }
    }
    expect(await fingerprintTables(db)).toEqual(before);
  });
});
