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

export const listRunsInput = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  skillId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  source: z.enum(INVOCATION_SOURCES).optional(),
  failureCode: z.enum(FAILURE_CODES).optional(),
  createdAfter: z.date().optional(),
  createdBefore: z.date().optional(),
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListRunsInput = z.infer<typeof listRunsInput>;

export const listRunEventsInput = runId.extend({ afterId: z.number().int().min(0).default(0) });
