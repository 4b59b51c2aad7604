import { z } from "zod";
import { PII_MODES } from "@/lib/enums";
import { patternLengthProblems } from "@/lib/guardrail-patterns";

const guardrailId = z.object({ guardrailId: z.uuid() });

/** Most characters a guardrail may cap a deliverable at; more is the same as no cap. */
export const MAX_DELIVERABLE_CHARS_LIMIT = 1_000_000;
export const MAX_DENIED_TERMS = 200;
export const MAX_DENIED_PATTERNS = 50;

const deniedTerms = z
  .array(z.string().trim().min(1, "must not be blank").max(200, "must be at most 200 characters"))
  .max(MAX_DENIED_TERMS, `must be at most ${MAX_DENIED_TERMS} terms`);

/** Every broken pattern in one message, one line each, so the field lists them all. */
const deniedPatterns = z
  .array(z.string())
  .max(MAX_DENIED_PATTERNS, `must be at most ${MAX_DENIED_PATTERNS} patterns`)
  .superRefine((patterns, context) => {
    const problems = patternLengthProblems(patterns);
    if (problems.length) context.addIssue({ code: "custom", message: problems.join("\n") });
  });

/** The rules a guardrail applies, as the runtime's GuardrailRules. */
export const guardrailRulesInput = z.object({
  deniedTerms,
  deniedPatterns,
  pii: z.enum(PII_MODES),
  maxDeliverableChars: z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_DELIVERABLE_CHARS_LIMIT, `must be at most ${MAX_DELIVERABLE_CHARS_LIMIT}`)
    .nullable(),
});
export type GuardrailRulesInput = z.infer<typeof guardrailRulesInput>;

/** What a guardrail is: the body of create, and of update next to the guardrail's id. */
export const guardrailInput = guardrailRulesInput.extend({
  name: z.string().trim().min(1, "is required").max(120),
  description: z.string().trim().max(500, "must be at most 500 characters"),
  /** The guardrail of every template that names none; one per tenant. */
  isTenantDefault: z.boolean(),
});
export type GuardrailInput = z.infer<typeof guardrailInput>;

/** Longest text the "Test this text" box checks: enough for a deliverable, cheap to scan. */
export const MAX_TEST_TEXT_CHARS = 100_000;

export const getGuardrailInput = guardrailId;
export const createGuardrailInput = guardrailInput;
export const updateGuardrailInput = guardrailId.extend({ guardrail: guardrailInput });
export const duplicateGuardrailInput = guardrailId;
export const deleteGuardrailInput = guardrailId;
export const testGuardrailInput = z.object({
  rules: guardrailRulesInput,
  text: z.string().max(MAX_TEST_TEXT_CHARS, `must be at most ${MAX_TEST_TEXT_CHARS} characters`),
});
