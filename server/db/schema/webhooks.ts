import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { agents } from "./agents";
import { createdAt, id, tenantId, updatedAt } from "./columns";
import { webhookDeliveryVerdictEnum } from "./enums";
import { skillRuns } from "./runs";
import { skills } from "./skills";

/** Per skill input: a JSON Pointer into the delivery's payload, and a literal fallback. */
export type WebhookInputMapping = Record<string, { pointer?: string; default?: unknown }>;

export const webhooks = pgTable(
  "webhooks",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "cascade" }),
    agentId: uuid().references(() => agents.id, { onDelete: "set null" }),
    inputMapping: jsonb().$type<WebhookInputMapping>().notNull().default({}),
    /** Secret: the HMAC key. Shown once at creation; never sent to the browser afterwards. */
    signingSecret: text().notNull(),
    previousSigningSecret: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    rateLimitPerMinute: integer().notNull().default(60),
    enabled: boolean().notNull().default(true),
    lastDeliveryAt: timestamp({ withTimezone: true }),
    createdByUserId: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index().on(t.tenantId, t.name)],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    tenantId: tenantId(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    deliveryId: text(),
    receivedAt: createdAt(),
    verdict: webhookDeliveryVerdictEnum().notNull(),
    httpStatus: integer().notNull(),
    deduplicated: boolean().notNull().default(false),
    runId: uuid().references((): AnyPgColumn => skillRuns.id, { onDelete: "set null" }),
    bodyBytes: integer().notNull().default(0),
    payload: jsonb(),
    error: text(),
  },
  (t) => [
    index().on(t.webhookId, t.receivedAt.desc()),
    // Only accepted deliveries reserve their id: a forged request must not block the real one.
    uniqueIndex("webhook_deliveries_accepted_delivery_key")
      .on(t.webhookId, t.deliveryId)
      .where(sql`${t.verdict} = 'accepted' and ${t.deliveryId} is not null`),
  ],
);
