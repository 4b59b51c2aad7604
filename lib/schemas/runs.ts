import { z } from "zod";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";

/** A run's inputs as sent: the skill's JSON Schema, not zod, decides what they may hold. */
const skillInputs = z.record(z.string(), z.unknown());
const runId = z.object({ runId: z.uuid() });

export const startRunInput = z.object({
  skillSlug: z.string().min(1).max(200),
  agentId: z.uuid().optional(),
  inputs: skillInputs,
  idempotencyKey: z.string().min(1).max(200).optional(),
});

export const cancelRunInput = runId;

/** Inputs or agent left out: the original run's. A null agent: the tenant's default. */
export const rerunRunInput = runId.extend({
  inputs: skillInputs.optional(),
  agentId: z.uuid().nullable().optional(),
});

export const getRunInput = runId;

/** The "Created: last …" windows the history offers, in seconds before now (the server's clock). */
export const CREATED_WITHIN_SECONDS = {
  "1h": 3600,
  "24h": 24 * 3600,
  "7d": 7 * 24 * 3600,
  "30d": 30 * 24 * 3600,
} as const;
export type CreatedWithin = keyof typeof CREATED_WITHIN_SECONDS;
export const CREATED_WITHIN = Object.keys(CREATED_WITHIN_SECONDS) as [
  CreatedWithin,
  ...CreatedWithin[],
];

/** How many runs a list can be narrowed to by id (the runs a bulk re-run started). */
export const MAX_LISTED_RUN_IDS = 100;

/** One status or several; a single one is what clients sent before the list took several. */
const runStatuses = z
  .union([z.enum(RUN_STATUSES), z.array(z.enum(RUN_STATUSES)).min(1).max(RUN_STATUSES.length)])
  .transform((statuses) => (typeof statuses === "string" ? [statuses] : [...new Set(statuses)]));

export const listRunsInput = z.object({
  status: runStatuses.optional(),
  skillId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  source: z.enum(INVOCATION_SOURCES).optional(),
  failureCode: z.enum(FAILURE_CODES).optional(),
  /** Runs a specific schedule, webhook or API key started (ids of the caller's tenant only). */
  scheduleId: z.uuid().optional(),
  webhookId: z.uuid().optional(),
  apiKeyId: z.uuid().optional(),
  runIds: z.array(z.uuid()).min(1).max(MAX_LISTED_RUN_IDS).optional(),
  createdWithin: z.enum(CREATED_WITHIN).optional(),
  createdAfter: z.date().optional(),
  createdBefore: z.date().optional(),
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListRunsInput = z.infer<typeof listRunsInput>;

/** The names the history's provenance filters show; an id of another tenant names nothing. */
export const runSourceNamesInput = z.object({
  scheduleId: z.uuid().optional(),
  webhookId: z.uuid().optional(),
  apiKeyId: z.uuid().optional(),
});

export const listRunEventsInput = runId;
