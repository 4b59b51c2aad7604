import {
  bigint,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { tenantId } from "./columns";
import { failureCodeEnum, runStatusEnum } from "./enums";

/**
 * A tenant's finished runs per UTC hour of `created_at` and what they were (skill, agent, model,
 * status, failure code): the dashboard's counts, tokens and cost for whole hours. Written only by
 * `foldFinishedRuns` (server/services/dashboard/run-rollup.ts), which folds each terminal run
 * exactly once (`skill_runs.rolled_up`), and by `recordUsage` for a late usage of a folded run.
 * Kept when retention deletes the runs. No foreign keys to skills or agents: an hour keeps the
 * ids it counted (a deleted agent's hours read as "No agent", as its runs do).
 */
export const runRollups = pgTable(
  "run_rollups",
  {
    tenantId: tenantId(),
    hour: timestamp({ withTimezone: true }).notNull(),
    skillId: uuid().notNull(),
    agentId: uuid(),
    model: text(),
    status: runStatusEnum().notNull(),
    failureCode: failureCodeEnum(),
    runs: integer().notNull(),
    inputTokens: bigint({ mode: "number" }).notNull(),
    outputTokens: bigint({ mode: "number" }).notNull(),
    costUsd: numeric({ precision: 18, scale: 6 }).notNull(),
  },
  (t) => [
    // The fold's upsert key; a null agent, model or failure code is one value, not many.
    unique("run_rollups_key")
      .on(t.tenantId, t.hour, t.skillId, t.agentId, t.model, t.status, t.failureCode)
      .nullsNotDistinct(),
    // The dashboard reads a window of hours from this index alone (index-only scans).
    index("run_rollups_window_idx").on(
      t.tenantId,
      t.hour,
      t.status,
      t.skillId,
      t.agentId,
      t.model,
      t.failureCode,
      t.runs,
      t.inputTokens,
      t.outputTokens,
      t.costUsd,
    ),
  ],
);

/**
 * Histograms of the folded runs' durations per UTC day of `created_at` (a day, not an hour: sparse
 * rows per hour held 2.5 rows per run at 70 runs an hour, more than the runs themselves): `kind`
 * 'wait' is queued→start (every run that started), 'work' is start→complete (complete runs);
 * `bucket` is `run_duration_bucket`'s (server/services/dashboard/duration-buckets.ts). Each run is
 * counted in three scopes: the whole tenant (`scope_id` the nil uuid), its skill (the skill's id)
 * and its agent (the agent's id, when it has one).
 */
export const runDurationRollups = pgTable(
  "run_duration_rollups",
  {
    tenantId: tenantId(),
    scopeId: uuid().notNull(),
    day: timestamp({ withTimezone: true }).notNull(),
    kind: text({ enum: ["wait", "work"] }).notNull(),
    bucket: smallint().notNull(),
    runs: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scopeId, t.day, t.kind, t.bucket] })],
);
