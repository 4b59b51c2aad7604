import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { AlertTrigger } from "@/lib/enums";
import type { Database } from "@/server/db/client";
import {
  alertDeliveries,
  alertNotices,
  alertRuleChannels,
  alertRules,
  notificationChannels,
} from "@/server/db/schema";

/** A delivery as events and steps name it. */
export type DeliveryRef = { deliveryId: string; tenantId: string };

/** What a rule's firing says; each delivery gets its own id. */
export type AlertMessage = { subject: string; text: string; facts: Record<string, unknown> };

export type FiringRule = { id: string; tenantId: string; name: string; trigger: AlertTrigger };

/**
 * Fires a rule unless it fired within its cooldown: the claim is one conditional update of
 * `last_fired_at` (no read before it), so of any number of concurrent firings exactly one moves it
 * and the rest find the cooldown running; in the same transaction the winner queues one pending
 * delivery per channel. Returns the deliveries to send (none while cooling down).
 */
export async function fireRule(
  db: Database,
  rule: FiringRule,
  message: AlertMessage,
): Promise<DeliveryRef[]> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .update(alertRules)
      .set({ lastFiredAt: sql`now()` })
      .where(
        and(
          eq(alertRules.id, rule.id),
          eq(alertRules.tenantId, rule.tenantId),
          eq(alertRules.enabled, true),
          sql`(${alertRules.lastFiredAt} is null or ${alertRules.lastFiredAt} <= now() - make_interval(mins => ${alertRules.cooldownMinutes}))`,
        ),
      )
      .returning({ id: alertRules.id });
    if (claimed.length === 0) return [];
    const channels = await tx
      .select({
        id: notificationChannels.id,
        name: notificationChannels.name,
        kind: notificationChannels.kind,
      })
      .from(alertRuleChannels)
      .innerJoin(notificationChannels, eq(notificationChannels.id, alertRuleChannels.channelId))
      .where(
        and(
          eq(alertRuleChannels.ruleId, rule.id),
          eq(notificationChannels.tenantId, rule.tenantId),
        ),
      );
    if (channels.length === 0) return [];
    const rows = await tx
      .insert(alertDeliveries)
      .values(
        channels.map((channel) => ({
          tenantId: rule.tenantId,
          ruleId: rule.id,
          channelId: channel.id,
          ruleName: rule.name,
          channelName: channel.name,
          channelKind: channel.kind,
          trigger: rule.trigger,
          subject: message.subject,
          body: message.text,
          facts: message.facts,
          status: "pending" as const,
        })),
      )
      .returning({ deliveryId: alertDeliveries.id, tenantId: alertDeliveries.tenantId });
    return rows;
  });
}

/**
 * Claims a fact (`run:<id>`, `budget:<id>`, `slot:<id>`) for judging: true for exactly one
 * caller however many race for it.
 */
export async function claimNotice(db: Database, tenantId: string, key: string): Promise<boolean> {
  const rows = await db
    .insert(alertNotices)
    .values({ key, tenantId })
    .onConflictDoNothing()
    .returning({ key: alertNotices.key });
  return rows.length > 0;
}

/** What firing a rule reads of it. */
const ruleColumns = {
  id: alertRules.id,
  tenantId: alertRules.tenantId,
  name: alertRules.name,
  trigger: alertRules.trigger,
  filters: alertRules.filters,
};

/** Enabled rules of every tenant watching `trigger` whose cooldown has passed. */
export function rulesOutOfCooldown(db: Database, trigger: AlertTrigger) {
  return db
    .select(ruleColumns)
    .from(alertRules)
    .where(
      and(
        eq(alertRules.trigger, trigger),
        eq(alertRules.enabled, true),
        sql`(${alertRules.lastFiredAt} is null or ${alertRules.lastFiredAt} <= now() - make_interval(mins => ${alertRules.cooldownMinutes}))`,
      ),
    );
}

/** Enabled rules of a tenant watching `trigger`. */
export function enabledRules(db: Database, tenantId: string, trigger: AlertTrigger) {
  return db
    .select(ruleColumns)
    .from(alertRules)
    .where(
      and(
        eq(alertRules.tenantId, tenantId),
        eq(alertRules.trigger, trigger),
        eq(alertRules.enabled, true),
      ),
    );
}
