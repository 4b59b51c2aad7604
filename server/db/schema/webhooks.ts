import type { WebhookInputMapping } from "@/lib/schemas/webhooks";
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { agents } from "./agents";
import { jsonbValue, createdAt, id, tenantId, updatedAt } from "./columns";
import { webhookDeliveryVerdictEnum } from "./enums";
import { skillRuns } from "./runs";
import { skills } from "./skills";

export type { WebhookInputMapping };

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
    inputMapping: jsonbValue().$type<WebhookInputMapping>().notNull().default({}),
    /** Tags every run of the webhook carries, and tag keys whose value a JSON Pointer reads from the payload. */
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * The tenant's notification channels each run's result is delivered to (run_deliveries rows
     * written with the run). Checked on save; a channel deleted since is dropped from the list.
     */
    deliveryChannelIds: uuid()
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    tagMapping: jsonbValue().$type<Record<string, string>>().notNull().default({}),
    /** Secret: the HMAC key. Shown once at creation; never sent to the browser afterwards. */
    signingSecret: text().notNull(),
    previousSigningSecret: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    rateLimitPerMinute: integer().notNull().default(60),
    enabled: boolean().notNull().default(true),
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
    /** Kept only for deliveries whose signature checked out, so they can be replayed. */
    payload: jsonbValue(),
    error: text(),
    /** Set on a delivery an operator replayed from the log: the original. */
    replayOfId: uuid().references((): AnyPgColumn => webhookDeliveries.id, {
      onDelete: "set null",
    }),
    replayedByUserId: text().references(() => users.id, { onDelete: "set null" }),
    /**
     * SHA-256 of the verified request's signed content, `<t>.<body>`: a captured request re-sent
     * (under any delivery id, with any of its valid `v1` values) has the same one. Older rows
     * hold the HMAC digest that matched; their requests are long past the 5-minute window.
     */
    signature: text(),
    /** Set when the same delivery id came again after the 24 h window: the id is free for that one. */
    deliveryIdReleasedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.webhookId, t.receivedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The run page names the delivery that started its run.
    index()
      .on(t.runId)
      .where(sql`${t.runId} is not null`),
    // One accepted delivery per id: a second copy's insert conflicts (waiting for the first to
    // commit), so concurrent copies make one run. Only accepted ones hold their id: a forged or
    // rejected request must not block the real one; after 24 h the id is released for reuse.
    uniqueIndex("webhook_deliveries_accepted_delivery_key")
      .on(t.webhookId, t.deliveryId)
      .where(
        sql`${t.verdict} = 'accepted' and ${t.deliveryId} is not null and ${t.deliveryIdReleasedAt} is null`,
      ),
    // One accepted delivery per signed request: the signed content includes the timestamp, so a
    // replayed request is this one again, while a new delivery (even of the same body) signs a new t.
    uniqueIndex("webhook_deliveries_accepted_signature_key")
      .on(t.webhookId, t.signature)
      .where(sql`${t.verdict} = 'accepted' and ${t.signature} is not null`),
  ],
);
