import type { ScheduleInputValue } from "@/lib/schedules/schedule-inputs";
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { agents } from "./agents";
import { createdAt, id, tenantId, updatedAt, jsonbValue } from "./columns";
import { overlapPolicyEnum, scheduleSlotOutcomeEnum } from "./enums";
import { skillRuns } from "./runs";
import { skills } from "./skills";

export type { ScheduleInputValue };

export const schedules = pgTable(
  "schedules",
  {
    id: id(),
    tenantId: tenantId(),
    name: text().notNull(),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "cascade" }),
    agentId: uuid().references(() => agents.id, { onDelete: "set null" }),
    // Without an agent the tenant's default runs it; with one that was deleted (set null), slots fail.
    usesDefaultAgent: boolean().notNull().default(false),
    inputs: jsonbValue().$type<Record<string, ScheduleInputValue>>().notNull().default({}),
    /** Tags every run of the schedule carries (lib/run-tags.ts). */
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
    cron: text().notNull(),
    timezone: text().notNull(),
    enabled: boolean().notNull().default(true),
    overlapPolicy: overlapPolicyEnum().notNull().default("skip"),
    nextFireAt: timestamp({ withTimezone: true }),
    lastFireAt: timestamp({ withTimezone: true }),
    lastRunId: uuid().references((): AnyPgColumn => skillRuns.id, { onDelete: "set null" }),
    disabledReason: text(),
    createdByUserId: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("schedules_due_idx")
      .on(t.nextFireAt)
      .where(sql`${t.enabled}`),
    index().on(t.tenantId, t.name),
    // Deleting a run nulls this foreign key; without an index each deleted run scanned schedules.
    index()
      .on(t.lastRunId)
      .where(sql`${t.lastRunId} is not null`),
  ],
);

/** The schedule health ledger: one row per slot, whatever became of it. */
export const scheduleSlots = pgTable(
  "schedule_slots",
  {
    id: id(),
    tenantId: tenantId(),
    scheduleId: uuid()
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    slotAt: timestamp({ withTimezone: true }).notNull(),
    outcome: scheduleSlotOutcomeEnum().notNull(),
    runId: uuid().references((): AnyPgColumn => skillRuns.id, { onDelete: "set null" }),
    reason: text(),
    recordedAt: createdAt(),
  },
  (t) => [
    uniqueIndex().on(t.scheduleId, t.slotAt.desc()),
    // The dashboard's schedule health: a tenant's slots in a window, read from the index alone.
    index("schedule_slots_health_idx").on(t.tenantId, t.slotAt, t.scheduleId, t.outcome),
    // The run page names the slot that started its run.
    index()
      .on(t.runId)
      .where(sql`${t.runId} is not null`),
  ],
);
