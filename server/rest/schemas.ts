import "server-only";
import { z } from "zod";
import { FAILURE_CODES, INVOCATION_SOURCES, PII_KINDS, RUN_STATUSES } from "@/lib/enums";
import { MAX_SEARCH_CHARS } from "@/lib/run-list";
import {
  MAX_FILTER_TAGS,
  MAX_TAG_KEY_CHARS,
  MAX_TAG_VALUE_CHARS,
  MAX_TAGS_PER_RUN,
} from "@/lib/run-tags";
import { listRunsInput, runTag, runTags } from "@/lib/schemas/runs";

const TAG_SYNTAX = `\`key:value\`: the key is 1–${MAX_TAG_KEY_CHARS} lowercase letters, digits, \`_\`, \`.\` or \`-\` starting with a letter or digit; the value is 1–${MAX_TAG_VALUE_CHARS} characters without commas, control characters or leading/trailing spaces`;

/** A run's tags as the API takes them. */
const tagsField = runTags.describe(
  `Tags, each ${TAG_SYNTAX}; at most ${MAX_TAGS_PER_RUN}, repeats stored once.`,
);

/** The REST API's shapes: the handlers validate with them and the OpenAPI document is generated from them. */
export const StartRunRequest = z
  .object({
    skill: z.string().min(1).describe("The skill's slug."),
    agentId: z
      .uuid()
      .optional()
      .describe("An agent of the key's tenant; the tenant's default agent when absent."),
    inputs: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The skill's inputs, validated against its inputs schema."),
    tags: tagsField.optional(),
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .describe(
        "Where to POST the run as JSON when it ends (complete, failed or cancelled), signed like Skillrun's signed webhooks with the `callback.signingSecret` of this answer (docs/DELIVERIES.md). It must pass the same outbound check as MCP servers (a public https address), or the start is refused with 400; retried with backoff, and shown on the run page.",
      ),
  })
  .strict();

export const SetRunTagsRequest = z.object({ tags: tagsField }).strict();

/** `status=running,queued`, or the parameter repeated; one status as before. */
const statusList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((status) => status.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(RUN_STATUSES)).min(1))
  .describe(
    `Runs in any of these statuses (${RUN_STATUSES.join(", ")}): one, or several separated by commas (\`running,queued\`); the parameter may also repeat.`,
  );

export const ListRunsQuery = z.object({
  status: statusList.optional(),
  skill: z.string().min(1).optional().describe("A skill slug."),
  schedule: z.uuid().optional().describe("Runs this schedule of the key's tenant started."),
  webhook: z.uuid().optional().describe("Runs this webhook of the key's tenant started."),
  apiKey: z.uuid().optional().describe("Runs started with this API key of the key's tenant."),
  tag: z
    .string()
    .transform((value) => value.split(","))
    .pipe(z.array(runTag).min(1).max(MAX_FILTER_TAGS))
    .optional()
    .describe(
      `Runs carrying every one of these tags (at most ${MAX_FILTER_TAGS}), separated by commas; the parameter may also repeat.`,
    ),
  q: listRunsInput.shape.search.describe(
    `Words of the run's inputs or deliverable (at most ${MAX_SEARCH_CHARS} characters), web-search style: \`"exact phrase"\`, \`or\`, \`-word\`.`,
  ),
  cursor: z.string().optional().describe("The `nextCursor` of the previous page."),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ExportRunsQuery = ListRunsQuery.omit({ cursor: true, limit: true }).extend({
  format: z
    .enum(["csv", "jsonl"])
    .describe("`csv` (a header row, RFC 4180) or `jsonl` (one JSON object per line)."),
});

export const Run = z.object({
  id: z.uuid(),
  status: z.enum(RUN_STATUSES),
  source: z.enum(INVOCATION_SOURCES),
  skill: z.object({ slug: z.string(), name: z.string() }),
  agent: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  tags: z.array(z.string()),
  inputs: z.record(z.string(), z.unknown()).optional(),
  deliverable: z
    .object({
      format: z.literal("markdown"),
      content: z.string(),
      masked: z
        .partialRecord(z.enum(PII_KINDS), z.number().int().positive())
        .describe(
          'What the agent\'s guardrail replaced in `content` before it was stored, by kind (e.g. `{ "phone": 2 }`); empty when the content is exactly what the agent wrote.',
        ),
    })
    .nullable()
    .optional(),
  failure: z
    .object({
      code: z.enum(FAILURE_CODES),
      reason: z.string().nullable(),
      provider: z
        .object({
          httpStatus: z
            .number()
            .int()
            .nullable()
            .describe("The model provider's HTTP status; null when it never answered."),
          attempts: z
            .number()
            .int()
            .describe(
              "Attempts of the failing model call (429, 5xx and network errors are retried).",
            ),
          retryAfterSeconds: z
            .number()
            .nullable()
            .describe("How long the provider asked to wait, when it said."),
        })
        .nullable()
        .optional()
        .describe("For `model_error`: what the model provider answered."),
    })
    .nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  usage: z.object({
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    costUsd: z.string().nullable(),
  }),
  callback: z
    .object({
      signingSecret: z
        .string()
        .describe("Verify each callback's `Skillrun-Signature` with this key; keep it secret."),
    })
    .optional()
    .describe("Only in the answer to a start with `callbackUrl` (and to its idempotent repeat)."),
});

export const RunList = z.object({ runs: z.array(Run), nextCursor: z.string().nullable() });

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});
