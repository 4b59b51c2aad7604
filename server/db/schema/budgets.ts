import { sql } from "drizzle-orm";
import { check, numeric, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { BUDGET_THRESHOLDS } from "@/lib/enums";
import { tenants } from "./auth";
import { createdAt, id, tenantId, updatedAt } from "./columns";

/**
 * A tenant's monthly model budget in USD. The month runs in `timezone` (tenants keep no zone of
 * their own, so the budget names one, as a schedule does). Past the soft limit the console warns
 * and a crossing is recorded; at the hard limit new runs are refused (`budget_exceeded`).
 */
export const tenantBudgets = pgTable(
  "tenant_budgets",
  {
    tenantId: text()
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    softLimitUsd: numeric({ precision: 14, scale: 6 }),
    hardLimitUsd: numeric({ precision: 14, scale: 6 }),
    timezone: text().notNull().default("UTC"),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("tenant_budgets_limits_positive", sql`${t.softLimitUsd} >= 0 and ${t.hardLimitUsd} >= 0`),
  ],
);

/**
 * A fact: in `month` (YYYY-MM in the budget's zone) the tenant's spend reached a limit. One row
 * per tenant, month and threshold, written by the start that saw it; the alerts read these.
 */
export const budgetThresholdCrossings = pgTable(
  "budget_threshold_crossings",
  {
    id: id(),
    tenantId: tenantId(),
    month: text().notNull(),
    threshold: text({ enum: BUDGET_THRESHOLDS }).notNull(),
    limitUsd: numeric({ precision: 14, scale: 6 }).notNull(),
    spendUsd: numeric({ precision: 14, scale: 6 }).notNull(),
    crossedAt: createdAt(),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.month, t.threshold),
    check(
      "budget_threshold_crossings_threshold",
      sql.raw(`threshold in (${BUDGET_THRESHOLDS.map((value) => `'${value}'`).join(", ")})`),
    ),
  ],
);
