import type { UseFormReturn } from "react-hook-form";
import { z } from "zod";
import { linesOf, patternLengthProblems } from "@/lib/guardrail-patterns";
import {
  guardrailInput,
  MAX_DENIED_PATTERNS,
  MAX_DENIED_TERMS,
  type GuardrailInput,
  type GuardrailRulesInput,
} from "@/lib/schemas/guardrails";

/**
 * The editor's form: the guardrail's fields as the server checks them, its terms and patterns as
 * text boxes of one per line (each broken pattern on its own line of the field's error).
 */
export const guardrailFormSchema = guardrailInput
  .omit({ deniedTerms: true, deniedPatterns: true })
  .extend({ deniedTermsText: z.string(), deniedPatternsText: z.string() })
  .superRefine(({ deniedTermsText, deniedPatternsText }, context) => {
    const terms = linesOf(deniedTermsText);
    if (terms.length > MAX_DENIED_TERMS)
      context.addIssue({
        code: "custom",
        path: ["deniedTermsText"],
        message: `must be at most ${MAX_DENIED_TERMS} terms`,
      });
    const tooLong = terms.findIndex((term) => term.length > 200);
    if (tooLong >= 0)
      context.addIssue({
        code: "custom",
        path: ["deniedTermsText"],
        message: `Term ${tooLong + 1} is longer than 200 characters.`,
      });
    const patterns = linesOf(deniedPatternsText);
    const problems = patternLengthProblems(patterns);
    if (patterns.length > MAX_DENIED_PATTERNS)
      problems.unshift(`There are more than ${MAX_DENIED_PATTERNS} patterns.`);
    if (problems.length)
      context.addIssue({
        code: "custom",
        path: ["deniedPatternsText"],
        message: problems.join("\n"),
      });
  });
export type GuardrailFormFields = z.input<typeof guardrailFormSchema>;
export type GuardrailFormValues = z.output<typeof guardrailFormSchema>;
export type GuardrailForm = UseFormReturn<GuardrailFormFields, unknown, GuardrailFormValues>;

export function formFieldsOf({
  deniedTerms,
  deniedPatterns,
  ...rest
}: GuardrailInput): GuardrailFormFields {
  return {
    ...rest,
    deniedTermsText: deniedTerms.join("\n"),
    deniedPatternsText: deniedPatterns.join("\n"),
  };
}

export function guardrailOf({
  deniedTermsText,
  deniedPatternsText,
  ...rest
}: GuardrailFormValues): GuardrailInput {
  return {
    ...rest,
    deniedTerms: linesOf(deniedTermsText),
    deniedPatterns: linesOf(deniedPatternsText),
  };
}

/** The rules as the form holds them now, saved or not, for "Test this text". */
export function rulesOfFields(fields: {
  deniedTermsText: string;
  deniedPatternsText: string;
  pii: GuardrailRulesInput["pii"];
  maxDeliverableChars: number | null;
}): GuardrailRulesInput {
  const max = fields.maxDeliverableChars;
  return {
    deniedTerms: linesOf(fields.deniedTermsText),
    deniedPatterns: linesOf(fields.deniedPatternsText),
    pii: fields.pii,
    maxDeliverableChars: max !== null && Number.isInteger(max) && max > 0 ? max : null,
  };
}

export const NEW_GUARDRAIL: GuardrailInput = {
  name: "",
  description: "",
  deniedTerms: [],
  deniedPatterns: [],
  pii: "mask",
  maxDeliverableChars: null,
  isTenantDefault: false,
};

const FIELD_OF_KEY: Record<string, keyof GuardrailFormFields> = {
  name: "name",
  description: "description",
  deniedTerms: "deniedTermsText",
  deniedPatterns: "deniedPatternsText",
  pii: "pii",
  maxDeliverableChars: "maxDeliverableChars",
  isTenantDefault: "isTenantDefault",
};
export const guardrailFieldOf = (key: string): keyof GuardrailFormFields | null =>
  FIELD_OF_KEY[key] ?? null;
