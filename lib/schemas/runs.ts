import { z } from "zod";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";
import { CREATED_WITHIN, MAX_LISTED_RUN_IDS, MAX_SEARCH_CHARS } from "@/lib/run-list";
import { MAX_FILTER_TAGS, MAX_TAGS_PER_RUN, tagProblem, uniqueTags } from "@/lib/run-tags";

/** A run's inputs as sent: the skill's JSON Schema, not zod, decides what they may hold. */
const skillInputs = z.record(z.string(), z.unknown());
const runId = z.object({ runId: z.uuid() });

/** One `key:value` tag (see lib/run-tags.ts for the syntax); the message says what is wrong. */
export const runTag = z.string().superRefine((tag, context) => {
  const problem = tagProblem(tag);
  if (problem) context.addIssue({ code: "custom", message: problem });
});

/** A run's tags: each at most once (repeats are dropped), at most MAX_TAGS_PER_RUN. */
export const runTags = z
  .array(runTag)
  .max(MAX_TAGS_PER_RUN, `A run carries at most ${MAX_TAGS_PER_RUN} tags`)
  .transform(uniqueTags);

export const startRunInput = z.object({
  skillSlug: z.string().min(1).max(200),
  agentId: z.uuid().optional(),
  inputs: skillInputs,
  idempotencyKey: z.string().min(1).max(200).optional(),
  tags: runTags.optional(),
});

export const setRunTagsInput = runId.extend({ tags: runTags });

export const cancelRunInput = runId;

/** Inputs or agent left out: the original run's. A null agent: the tenant's default. */
export const rerunRunInput = runId.extend({
  inputs: skillInputs.optional(),
  agentId: z.uuid().nullable().optional(),
  /** Left out: the original run's tags. */
  tags: runTags.optional(),
});

export const getRunInput = runId;

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
  /** Words of the run's inputs or deliverable, web-search style: `"exact phrase"`, `or`, `-word`. */
  search: z
    .string()
    .trim()
    .max(MAX_SEARCH_CHARS, `Search for at most ${MAX_SEARCH_CHARS} characters`)
    .refine((text) => /[\p{L}\p{N}]/u.test(text), "Search for at least one word or number")
    .optional(),
  /** Runs carrying every one of these tags. */
  tags: z
    .array(runTag)
    .min(1)
    .max(MAX_FILTER_TAGS, `Filter by at most ${MAX_FILTER_TAGS} tags`)
    .transform(uniqueTags)
    .optional(),
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListRunsInput = z.infer<typeof listRunsInput>;
/** The list's filters as a caller passes them, before parsing (no page: cursor and limit). */
export type RunListFiltersInput = Omit<z.input<typeof listRunsInput>, "cursor" | "limit">;

/** The names the history's provenance filters show; an id of another tenant names nothing. */
export const runSourceNamesInput = z.object({
  scheduleId: z.uuid().optional(),
  webhookId: z.uuid().optional(),
  apiKeyId: z.uuid().optional(),
});

export const listRunEventsInput = runId;
