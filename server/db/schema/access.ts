import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tenants, users } from "./auth";
import { createdAt, id, tenantId, jsonbValue } from "./columns";
import { auditActorTypeEnum, memberRoleCheck } from "./enums";

export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    role: text().notNull(),
    /** The first characters of the key, shown so an operator can tell keys apart. */
    prefix: text().notNull().unique(),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    keyHash: text().notNull().unique(),
    createdByUserId: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.tenantId, t.createdAt.desc()), memberRoleCheck("api_keys_role_check")],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** Null only for events before a tenant is known, such as a failed sign-in. */
    tenantId: text().references(() => tenants.id, { onDelete: "cascade" }),
    actorType: auditActorTypeEnum().notNull(),
    actorId: text(),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    origin: text(),
    metadata: jsonbValue().$type<Record<string, unknown>>().notNull().default({}),
    at: createdAt(),
  },
  (t) => [index().on(t.tenantId, t.at.desc()), index().on(t.action, t.at.desc())],
);
