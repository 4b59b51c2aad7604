import "server-only";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import {
  alertDeliveries,
  alertRuleChannels,
  alertRules,
  notificationChannels,
} from "@/server/db/schema";
import { ChannelNotFoundError } from "@/server/services/notify/channels";
import { attemptDelivery } from "./deliveries";
import { AlertRuleNotFoundError } from "./rules";

type TestOutcome = { channelName: string; status: "sent" | "failed"; error: string | null };

async function sendTestTo(
  db: Database,
  tenantId: string,
  channel: { id: string; name: string; kind: "email" | "slack" | "webhook" },
  rule: { id: string; name: string } | null,
): Promise<TestOutcome> {
  const [delivery] = await db
    .insert(alertDeliveries)
    .values({
      tenantId,
      ruleId: rule?.id ?? null,
      channelId: channel.id,
      ruleName: rule?.name ?? null,
      channelName: channel.name,
      channelKind: channel.kind,
      isTest: true,
      subject: `[Skillrun] Test alert${rule ? ` for "${rule.name}"` : ""}`,
      body: `This is a test from Skillrun: the channel "${channel.name}" works. No run has failed.`,
      facts: { test: true, rule: rule ? { id: rule.id, name: rule.name } : null },
      status: "pending",
    })
    .returning({ id: alertDeliveries.id });
  if (!delivery) throw new Error("The test delivery insert returned no row.");
  // A test is tried once, at once, so the admin sees the answer; it is in the history too.
  await attemptDelivery(db, { deliveryId: delivery.id, tenantId }, true);
  const [after] = await db
    .select({ status: alertDeliveries.status, error: alertDeliveries.error })
    .from(alertDeliveries)
    .where(eq(alertDeliveries.id, delivery.id));
  return {
    channelName: channel.name,
    status: after?.status === "sent" ? "sent" : "failed",
    error: after?.error ?? null,
  };
}

/** "Send test" on a channel. */
export async function sendChannelTest(db: Database, tenantId: string, channelId: string) {
  const [channel] = await db
    .select({
      id: notificationChannels.id,
      name: notificationChannels.name,
      kind: notificationChannels.kind,
    })
    .from(notificationChannels)
    .where(
      and(eq(notificationChannels.id, channelId), eq(notificationChannels.tenantId, tenantId)),
    );
  if (!channel) throw new ChannelNotFoundError(channelId);
  return [await sendTestTo(db, tenantId, channel, null)];
}

/** "Send test" on a rule: one test to each of its channels; its cooldown is not touched. */
export async function sendRuleTest(db: Database, tenantId: string, ruleId: string) {
  const [rule] = await db
    .select({ id: alertRules.id, name: alertRules.name })
    .from(alertRules)
    .where(and(eq(alertRules.id, ruleId), eq(alertRules.tenantId, tenantId)));
  if (!rule) throw new AlertRuleNotFoundError(ruleId);
  const channels = await db
    .select({
      id: notificationChannels.id,
      name: notificationChannels.name,
      kind: notificationChannels.kind,
    })
    .from(alertRuleChannels)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertRuleChannels.channelId))
    .where(and(eq(alertRuleChannels.ruleId, rule.id), eq(notificationChannels.tenantId, tenantId)));
  const outcomes: TestOutcome[] = [];
  for (const channel of channels) outcomes.push(await sendTestTo(db, tenantId, channel, rule));
  return outcomes;
}
