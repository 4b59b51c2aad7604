import "server-only";
import { z } from "zod";
import { PII_KINDS } from "@/lib/enums";
import { MAX_RETRY_AFTER_SECONDS, type ModelFailureDetail } from "@/lib/model-failure";
import { MAX_MODEL_ATTEMPTS } from "@/server/agent/model-retry";
import { MAX_DELIVERABLE_BYTES, TURN_FAILURE_CODES } from "@/server/agent/turn";
import type { PiiMaskCounts } from "@/server/agent/guardrail";
import type { TokenUsage } from "@/server/agent/usage";
import { holdsUnstorable } from "@/server/db/storable";
import {
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MIN_APPROVAL_TIMEOUT_SECONDS,
} from "@/lib/schemas/templates";
import { MAX_FAILURE_REASON_CHARS } from "./run-lifecycle";
import { runDeliveryRefSchema } from "@/inngest/events";
import { RUN_DELIVERY_LIMIT, type QueuedDelivery } from "@/server/services/deliveries/queue";
import type { GuardedTurnOutcome } from "./run-turn";

/**
 * What run-skill reads back from its memoized steps. The engine stores each step's output and
 * hands it back on every later request of the run, so by the time a service sees it, it is
 * input like any other: whoever can answer for the engine (or forge its request) chose it.
 * Each schema accepts exactly what the producing step returns, within the bounds of the
 * columns it ends up in, and refuses any key it does not name.
 */

// The token columns are `integer` (int4).
const tokenCount = z.number().int().min(0).max(2_147_483_647);
// `numeric(14, 6)`, written by costOf as a fixed-point string.
const costUsd = z.string().regex(/^\d{1,8}\.\d{6}$/);

export const tokenUsageSchema = z.strictObject({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cacheReadTokens: tokenCount,
  cacheWriteTokens: tokenCount,
  reasoningTokens: tokenCount,
  costUsd: costUsd.nullable().optional(),
}) satisfies z.ZodType<TokenUsage>;

export const modelFailureDetailSchema = z.strictObject({
  model: z.string().min(1).max(500),
  httpStatus: z.number().int().min(100).max(599).nullable(),
  attempts: z.number().int().min(1).max(MAX_MODEL_ATTEMPTS),
  retryAfterSeconds: z.number().int().min(0).max(MAX_RETRY_AFTER_SECONDS).nullable(),
  credentialSettings: z.array(z.string().regex(/^[A-Z][A-Z0-9_]{0,99}$/)).max(10),
}) satisfies z.ZodType<ModelFailureDetail>;

// A masking replaces at least one character of the deliverable, so no count exceeds its size.
export const piiMaskCountsSchema = z.partialRecord(
  z.enum(PII_KINDS),
  z.number().int().min(1).max(MAX_DELIVERABLE_BYTES),
) satisfies z.ZodType<PiiMaskCounts>;

const markdown = z
  .string()
  .min(1)
  .max(MAX_DELIVERABLE_BYTES)
  .refine(
    (text) => Buffer.byteLength(text) <= MAX_DELIVERABLE_BYTES,
    `is larger than ${MAX_DELIVERABLE_BYTES} bytes`,
  );

export const turnOutcomeSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("complete"),
      markdown,
      usage: tokenUsageSchema,
      masked: piiMaskCountsSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal("failed"),
      code: z.enum(TURN_FAILURE_CODES),
      reason: z.string().min(1).max(MAX_FAILURE_REASON_CHARS),
      usage: tokenUsageSchema,
      detail: modelFailureDetailSchema.optional(),
    }),
    z.strictObject({ kind: z.literal("cancelled"), usage: tokenUsageSchema }),
    z.strictObject({
      kind: z.literal("awaiting_approval"),
      approvalId: z.uuid(),
      timeoutSeconds: z
        .number()
        .int()
        .min(MIN_APPROVAL_TIMEOUT_SECONDS)
        .max(MAX_APPROVAL_TIMEOUT_SECONDS),
    }),
    z.strictObject({ kind: z.literal("continued_elsewhere"), approvalId: z.uuid() }),
  ])
  .refine(
    (outcome) => !holdsUnstorable(outcome),
    "holds U+0000 or an unpaired surrogate",
  ) satisfies z.ZodType<GuardedTurnOutcome>;

/** Why a run whose turn result was refused failed: the operator sees this, the log has the issues. */
export const UNREADABLE_TURN_REASON =
  "The agent turn's result could not be read, so nothing of it was stored; re-run the run to try again.";

/** The agent-turn step's output, or null when it is not a turn outcome (the issues go to the log, never its values). */
export function readTurnOutcome(stepOutput: unknown, runId: string): GuardedTurnOutcome | null {
  const parsed = turnOutcomeSchema.safeParse(stepOutput);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(outcome)"}: ${issue.code}`)
    .join("; ");
  console.error(`run ${runId}: the agent-turn step's output was refused (${issues})`);
  return null;
}

/** The approval a turn paused for, when its step's outcome says it paused. */
export function readPause(
  stepOutput: unknown,
  runId: string,
): { approvalId: string; timeoutSeconds: number } | null {
  const outcome = readTurnOutcome(stepOutput, runId);
  if (outcome?.kind !== "awaiting_approval") return null;
  return { approvalId: outcome.approvalId, timeoutSeconds: outcome.timeoutSeconds };
}

export class UnreadableStepResultError extends Error {
  constructor(step: string) {
    super(`the ${step} step's result could not be read`);
    this.name = "UnreadableStepResultError";
  }
}

/**
 * The yes/no a step answered (mark-running: the run was queued; resolve-config: there is
 * something to run). Anything but a boolean ends the run through its failure handler.
 */
export function readStepFlag(step: string, stepOutput: unknown): boolean {
  if (typeof stepOutput !== "boolean") throw new UnreadableStepResultError(step);
  return stepOutput;
}

const finishOutputSchema = z.object({
  deliveries: z
    .array(z.strictObject({ ...runDeliveryRefSchema.shape, queuedAt: z.number().int().min(0) }))
    .max(RUN_DELIVERY_LIMIT),
}) satisfies z.ZodType<{ deliveries: QueuedDelivery[] }>;

/**
 * The deliveries the finish step queued (`finishRunAndQueueDeliveries`), whose events the
 * function sends next. Anything else ends the function through its failure handler; the
 * deliveries stay pending for the outbox's sweep.
 */
export function readQueuedDeliveries(step: string, stepOutput: unknown): QueuedDelivery[] {
  const parsed = finishOutputSchema.safeParse(stepOutput);
  if (!parsed.success) throw new UnreadableStepResultError(step);
  return parsed.data.deliveries;
}
