import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
  type ExtraConfigColumn,
} from "drizzle-orm/pg-core";
import type { ModelFailureDetail } from "@/lib/model-failure";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import type { PiiMaskCounts } from "@/server/agent/guardrail";
import type { LiveOutput } from "@/server/agent/live-output";
import type { TurnCall } from "@/server/agent/turn-calls";
import { users } from "./auth";
import { apiKeys } from "./access";
import { agents } from "./agents";
import { id, tenantId, updatedAt, jsonbValue, tsvector } from "./columns";
import { failureCodeEnum, invocationSourceEnum, runStatusEnum } from "./enums";
import { schedules } from "./schedules";
import { skills } from "./skills";
import { webhooks } from "./webhooks";

// The console's deliverable view still takes the type from here; the guardrail owns it.

export type Deliverable = {
  type: "inline";
  format: "markdown";
  payload: string;
  /** What the agent's guardrail masked in the payload before it was stored (absent: nothing). */
  masked?: PiiMaskCounts;
};

/** A call the agent turn is waiting on, since `startedAt` (the database's clock, ISO 8601). */
export type ActiveCall = Omit<TurnCall, "id"> & { startedAt: string };

/** How much of a deliverable and of the inputs the history's search reads (see `searchDocument`). */
export const SEARCHED_DELIVERABLE_CHARS = 100_000;
export const SEARCHED_INPUTS_CHARS = 200_000;

/** Index columns in the history's order, `order by created_at desc, id desc`. */
const newestFirst = (t: { createdAt: ExtraConfigColumn; id: ExtraConfigColumn }) => [
  t.createdAt.desc().nullsFirst(),
  t.id.desc().nullsFirst(),
];

export const skillRuns = pgTable(
  "skill_runs",
  {
    id: id(),
    tenantId: tenantId(),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "restrict" }),
    skillVersion: text().notNull(),
    agentId: uuid().references(() => agents.id, { onDelete: "set null" }),
    source: invocationSourceEnum().notNull(),
    invokerUserId: text().references(() => users.id, { onDelete: "set null" }),
    scheduleId: uuid().references((): AnyPgColumn => schedules.id, { onDelete: "set null" }),
    webhookId: uuid().references((): AnyPgColumn => webhooks.id, { onDelete: "set null" }),
    apiKeyId: uuid().references((): AnyPgColumn => apiKeys.id, { onDelete: "set null" }),
    parentRunId: uuid().references((): AnyPgColumn => skillRuns.id, { onDelete: "set null" }),
    inputs: jsonbValue().$type<Record<string, unknown>>().notNull(),
    status: runStatusEnum().notNull().default("queued"),
    failureCode: failureCodeEnum(),
    failureReason: text(),
    /** The facts behind a `model_error` (status, attempts, retry-after), for a specific hint. */
    failureDetail: jsonbValue().$type<ModelFailureDetail>(),
    deliverable: jsonbValue().$type<Deliverable>(),
    /** When the retention sweep cleared the deliverable (the run row stays); null while it is kept. */
    deliverableExpiredAt: timestamp({ withTimezone: true }),
    /** What the agent ran with, frozen on the run when its config was resolved. Holds no secrets. */
    configSnapshot: jsonbValue().$type<AgentRuntimeConfig>(),
    /** The snapshot's model, as a column so the dashboard's usage by model reads an index. */
    model: text().generatedAlwaysAs(sql`config_snapshot ->> 'model'`),
    inputTokens: integer(),
    outputTokens: integer(),
    cacheReadTokens: integer(),
    cacheWriteTokens: integer(),
    reasoningTokens: integer(),
    costUsd: numeric({ precision: 14, scale: 6 }),
    /**
     * What a budgeted tenant's start set aside for the run (its cost estimate's p90), counted
     * against the month's budget while the run is queued or running; its cost replaces it.
     */
    reservedCostUsd: numeric({ precision: 14, scale: 6 }),
    /** `key:value` tags (lib/run-tags.ts), set at start and edited by operators. */
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * What the history's search matches: the inputs' text and number values and the first
     * SEARCHED_DELIVERABLE_CHARS of the deliverable, as `simple` lexemes (no stemming and no
     * stop words, so names, ids and codes match as written). Inputs longer than
     * SEARCHED_INPUTS_CHARS as JSON are read as their cut JSON text instead. The cuts keep
     * the tsvector far below PostgreSQL's 1 MB limit, so no run's insert or update can fail on it.
     * PostgreSQL recomputes it only when `inputs` or `deliverable` change.
     */
    searchDocument: tsvector().generatedAlwaysAs(
      sql`case when length(inputs::text) <= ${sql.raw(String(SEARCHED_INPUTS_CHARS))} then jsonb_to_tsvector('simple'::regconfig, inputs, '["string", "numeric"]'::jsonb) else to_tsvector('simple'::regconfig, left(inputs::text, ${sql.raw(String(SEARCHED_INPUTS_CHARS))})) end || to_tsvector('simple'::regconfig, left(coalesce(deliverable ->> 'payload', ''), ${sql.raw(String(SEARCHED_DELIVERABLE_CHARS))}))`,
    ),
    idempotencyKey: text(),
    /**
     * SHA-256 of the request that first used the idempotency key (skill, agent, inputs): the same
     * key with another request is refused instead of answered with this run. Null on runs
     * started before it was recorded; those answer any repeat of their key.
     */
    idempotencyRequestHash: text(),
    inngestEventId: text(),
    inngestRunId: text(),
    turnStartedAt: timestamp({ withTimezone: true }),
    /**
     * The model and tool calls the turn is waiting on right now, by call id: the run page's
     * "in progress" rows. Live state, not history: a call leaves it when it settles, and only a
     * running run's entries mean anything (a turn that dies leaves its last ones behind).
     */
    activeCalls: jsonbValue().$type<Record<string, ActiveCall>>().notNull().default({}),
    /**
     * The deliverable as the model writes it, after the guardrail (`liveOutputWriter`): the run
     * page's live output. Written only while the run is running, cleared when it ends.
     */
    liveOutput: jsonbValue().$type<LiveOutput>(),
    // Milliseconds, the precision of a JS Date, so a keyset cursor built from a row's
    // created_at is exactly that row's value and never skips runs created in the same millisecond.
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    cancelRequestedAt: timestamp({ withTimezone: true }),
    cancelledByUserId: text().references(() => users.id, { onDelete: "set null" }),
    updatedAt: updatedAt(),
    /**
     * The run is counted in the dashboard's hourly rollup (`run_rollups`); set once, by the fold,
     * in the statement that counts it. Until then the dashboard reads the run itself.
     */
    rolledUp: boolean().notNull().default(false),
  },
  (t) => [
    // The history list (runs.list) pages newest first on (created_at, id); each filter it
    // offers has an index led by (tenant_id, <filter>) and ending in that order, so every
    // page, however deep, is a short ordered index range scan. `desc nulls first` is what
    // `order by … desc` means: drizzle's bare `.desc()` writes `desc nulls last`, an order
    // the planner cannot use for that query (it sorted the whole tenant instead).
    index("skill_runs_history_idx").on(t.tenantId, ...newestFirst(t)),
    index("skill_runs_status_idx").on(t.tenantId, t.status, ...newestFirst(t)),
    index("skill_runs_skill_idx").on(t.tenantId, t.skillId, ...newestFirst(t)),
    index("skill_runs_agent_idx").on(t.tenantId, t.agentId, ...newestFirst(t)),
    index("skill_runs_source_idx").on(t.tenantId, t.source, ...newestFirst(t)),
    index("skill_runs_failure_idx")
      .on(t.tenantId, t.failureCode, ...newestFirst(t))
      .where(sql`${t.failureCode} is not null`),
    // Provenance filters (a schedule's, webhook's or key's runs): only the rows they started.
    index("skill_runs_schedule_idx")
      .on(t.tenantId, t.scheduleId, ...newestFirst(t))
      .where(sql`${t.scheduleId} is not null`),
    index("skill_runs_webhook_idx")
      .on(t.tenantId, t.webhookId, ...newestFirst(t))
      .where(sql`${t.webhookId} is not null`),
    index("skill_runs_api_key_idx")
      .on(t.tenantId, t.apiKeyId, ...newestFirst(t))
      .where(sql`${t.apiKeyId} is not null`),
    // The dashboard's aggregates over a window read only this index (index-only scans): every
    // column they group or sum is a key column, since drizzle-kit cannot write INCLUDE.
    index("skill_runs_dashboard_idx").on(
      t.tenantId,
      t.createdAt,
      t.status,
      t.skillId,
      t.agentId,
      t.model,
      t.failureCode,
      t.inputTokens,
      t.outputTokens,
      t.costUsd,
      t.startedAt,
      t.finishedAt,
    ),
    // Runs not yet folded into the rollup: the unfinished ones and those finished since the last
    // fold. Small; the fold claims from it and the dashboard reads the window's share of it.
    index("skill_runs_unrolled_idx")
      .on(t.tenantId, t.createdAt)
      .where(sql`not ${t.rolledUp}`),
    // Search and the tag filter: GIN, each ANDed with the tenant and read newest first. The
    // planner walks skill_runs_history_idx instead when a word or tag is common enough that
    // the newest page is near (see docs/PERFORMANCE.md).
    index("skill_runs_search_idx").using("gin", t.searchDocument),
    index("skill_runs_tags_idx").using("gin", t.tags),
    index("skill_runs_reconcile_idx")
      .on(t.status, t.startedAt)
      .where(sql`${t.status} in ('queued', 'running', 'awaiting_approval')`),
    // Keys are unique per tenant *and source*: what an operator types into Run now can never
    // take a schedule's slot key (`schedule:<id>:<slot>`) or a REST client's key.
    uniqueIndex("skill_runs_source_idempotency_key")
      .on(t.tenantId, t.source, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index().on(t.parentRunId),
    // The retention sweep's deliverables still to clear, oldest first; a cleared one leaves it.
    index("skill_runs_deliverable_retention_idx")
      .on(t.tenantId, t.createdAt)
      .where(sql`${t.deliverable} is not null`),
  ],
);

/** The run's timeline; appended in the same transaction as each transition. */
export const runEvents = pgTable(
  "run_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid()
      .notNull()
      .references(() => skillRuns.id, { onDelete: "cascade" }),
    tenantId: tenantId(),
    type: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the call the event records began (model and tool calls); null for an instant. */
    startedAt: timestamp({ withTimezone: true }),
    payload: jsonbValue().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index().on(t.runId, t.id)],
);
