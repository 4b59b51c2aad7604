import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  ALERT_DELIVERY_STATUSES,
  ALERT_TRIGGERS,
  CHANNEL_KINDS,
  type AlertDeliveryStatus,
} from "@/lib/enums";
import type { AlertRuleFilters, ChannelConfig } from "@/lib/schemas/alerts";
import { createdAt, id, jsonbValue, tenantId, updatedAt } from "./columns";

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(", ")})`);

/**
 * A place a tenant's notices go (an SMTP mailbox list, a Slack incoming webhook, a signed
 * webhook). `secret` is encrypted (`server/crypto`): the SMTP password, the Slack URL or the
 * signing secret; the browser only ever sees `secretHint`, its last four characters.
 */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    kind: text({ enum: CHANNEL_KINDS }).notNull(),
    config: jsonbValue().$type<ChannelConfig>().notNull(),
    secret: text(),
    secretHint: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.name),
    check("notification_channels_kind", inList("kind", CHANNEL_KINDS)),
  ],
);

/**
 * What to watch and whom to tell. `lastFiredAt` is the cooldown's claim: a rule fires only by
 * moving it forward in one conditional update, so a burst fires it once per cooldown.
 */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    trigger: text({ enum: ALERT_TRIGGERS }).notNull(),
    filters: jsonbValue().$type<AlertRuleFilters>().notNull().default({}),
    cooldownMinutes: integer().notNull().default(60),
    enabled: boolean().notNull().default(true),
    lastFiredAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.name),
    index().on(t.trigger, t.enabled),
    check("alert_rules_trigger", inList("trigger", ALERT_TRIGGERS)),
    check("alert_rules_cooldown", sql`${t.cooldownMinutes} between 1 and 10080`),
  ],
);

export const alertRuleChannels = pgTable(
  "alert_rule_channels",
  {
    ruleId: uuid()
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    channelId: uuid()
      .notNull()
      .references(() => notificationChannels.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.channelId] }), index().on(t.channelId)],
);

/**
 * One notice to one channel, with its attempts (the alert history). Names are copied so the
 * history still reads after a rule or channel is deleted.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: id(),
    tenantId: tenantId(),
    ruleId: uuid().references(() => alertRules.id, { onDelete: "set null" }),
    channelId: uuid().references(() => notificationChannels.id, { onDelete: "set null" }),
    ruleName: text(),
    channelName: text().notNull(),
    channelKind: text({ enum: CHANNEL_KINDS }).notNull(),
    trigger: text({ enum: ALERT_TRIGGERS }),
    isTest: boolean().notNull().default(false),
    subject: text().notNull(),
    body: text().notNull(),
    /** The facts the notice is about (run ids, figures), sent as JSON to signed webhooks. */
    facts: jsonbValue().$type<Record<string, unknown>>().notNull().default({}),
    status: text({ enum: ALERT_DELIVERY_STATUSES }).$type<AlertDeliveryStatus>().notNull(),
    attempts: integer().notNull().default(0),
    error: text(),
    createdAt: createdAt(),
    /** Set by the attempt that is sending (notify/attempt-record.ts): one sender at a time. */
    claimedAt: timestamp({ withTimezone: true }),
    lastAttemptAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    // A rule's or channel's delete sets its rows' reference null without a scan.
    index().on(t.ruleId),
    index().on(t.channelId),
    check("alert_deliveries_status", inList("status", ALERT_DELIVERY_STATUSES)),
  ],
);

/**
 * Facts the alert scan has already judged (`run:<id>` for a failed run, `budget:<id>` for a
 * threshold crossing, `slot:<id>` for a schedule slot), claimed by insert so each is judged
 * once however scans overlap. Rows older than two days are pruned by the scan.
 */
export const alertNotices = pgTable(
  "alert_notices",
  {
    key: text().primaryKey(),
    tenantId: tenantId(),
    noticedAt: createdAt(),
  },
  (t) => [index().on(t.noticedAt)],
);
