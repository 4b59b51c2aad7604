import { boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { tenants } from "./auth";
import { updatedAt } from "./columns";

/** Per-tenant switches that are not part of the auth library's organization row. */
export const tenantSettings = pgTable("tenant_settings", {
  tenantId: text()
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  builtInToolsEnabled: boolean().notNull().default(true),
  runConcurrency: integer().notNull().default(5),
  /** Runs older than this many days are deleted by the retention sweep (null: kept forever). */
  runRetentionDays: integer(),
  /** Deliverables older than this many days are cleared, the run row kept (null: kept with the run). */
  deliverableRetentionDays: integer(),
  updatedAt: updatedAt(),
});
