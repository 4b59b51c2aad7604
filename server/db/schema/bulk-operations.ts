import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  BULK_OPERATION_KINDS,
  BULK_OPERATION_STATUSES,
  type BulkOperationKind,
  type BulkOperationStatus,
} from "@/lib/enums";
import type { StoredRunFilters } from "@/lib/schemas/bulk-operations";
import { users } from "./auth";
import { createdAt, id, jsonbValue, tenantId } from "./columns";

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(", ")})`);

/**
 * "Cancel all matching" / "Re-run all matching": every run the history filter matched when the
 * operator confirmed (`frozen_at`), processed newest first in keyset batches by the
 * bulk-operation function. `cursor_*` is the last run handled, written in the transaction that
 * handles its batch, so a retried or doubled step never handles a run twice.
 */
export const bulkOperations = pgTable(
  "bulk_operations",
  {
    id: id(),
    tenantId: tenantId(),
    kind: text({ enum: BULK_OPERATION_KINDS }).$type<BulkOperationKind>().notNull(),
    /** The history filter as confirmed; a relative window is stored as its absolute start. */
    filters: jsonbValue().$type<StoredRunFilters>().notNull(),
    /** Re-run only: inputs that replace the original run's, for every run. */
    inputOverrides: jsonbValue().$type<Record<string, unknown>>(),
    requestedByUserId: text().references(() => users.id, { onDelete: "set null" }),
    idempotencyKey: text().notNull(),
    status: text({ enum: BULK_OPERATION_STATUSES }).$type<BulkOperationStatus>().notNull(),
    /** Runs the filter matched at `frozen_at`; done + skipped + failed reach it when completed. */
    total: integer().notNull(),
    done: integer().notNull().default(0),
    /** Matched runs the operation left alone (already ended when their batch came). */
    skipped: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    /** Runs created after this are not the operation's (the database's clock at the click). */
    // Milliseconds, as skill_runs.created_at: compared with it and read back as a JS Date exactly.
    frozenAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    cursorCreatedAt: timestamp({ withTimezone: true, precision: 3 }),
    cursorId: uuid(),
    error: text(),
    /** Re-runs refused at their batch, by the refusal's code (e.g. `budget_exceeded`: 3). */
    failureCounts: jsonbValue().$type<Record<string, number>>().notNull().default({}),
    /** The first refusal's message (a service's own words, never an internal error's). */
    firstFailure: text(),
    createdAt: createdAt(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    cancelledByUserId: text().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("bulk_operations_idempotency_idx").on(t.tenantId, t.idempotencyKey),
    index("bulk_operations_recent_idx").on(t.tenantId, t.createdAt),
    check("bulk_operations_kind", inList("kind", BULK_OPERATION_KINDS)),
    check("bulk_operations_status", inList("status", BULK_OPERATION_STATUSES)),
  ],
);
