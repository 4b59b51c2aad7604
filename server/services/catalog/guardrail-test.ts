import "server-only";
import type { GuardrailRulesInput } from "@/lib/schemas/guardrails";
import { checkText, findDenied, type DeniedMatch } from "@/server/agent/guardrail";
import { rulesOf } from "./guardrails";

/**
 * What the rules (saved or not) do to a text, by the runtime's own functions: the denied term or
 * pattern that matched and where, the verdict on it as a deliverable (and as a run's input, where
 * length does not count), and, when the rules look for personal data, the text with it masked.
 */
export function testGuardrailRules(rules: GuardrailRulesInput, text: string) {
  const runtimeRules = rulesOf(rules);
  const denied: DeniedMatch | null = findDenied(runtimeRules, text);
  const asDeliverable = checkText(runtimeRules, text, { enforceLength: true });
  const masking =
    rules.pii === "off"
      ? null
      : checkText(
          { deniedTerms: [], deniedPatterns: [], pii: "mask", maxDeliverableChars: null },
          text,
          { enforceLength: false },
        );
  return {
    denied,
    verdict: asDeliverable.ok
      ? { ok: true as const, masked: asDeliverable.masked }
      : { ok: false as const, rule: asDeliverable.rule },
    masked: masking?.ok ? { text: masking.text, counts: masking.masked } : null,
  };
}
