import type { GuardrailRules } from "@/server/db/schema";

/**
 * Guardrail checks on a run's inputs (before the turn) and its deliverable (after it):
 * denied terms and patterns, personal data (masked or blocked) and a maximum length.
 */
export type GuardrailVerdict = { ok: true; text: string; masked: number } | { ok: false; rule: string };

const PII_PATTERNS: { name: string; pattern: RegExp }[] = [
  // The lookbehind starts a match only at the beginning of a local part: without it a long run
  // of such characters is rescanned from every position (quadratic on a 1 MB deliverable).
  { name: "email address", pattern: /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g },
  { name: "payment card number", pattern: /\b(?:\d[ -]?){13,19}\b/g },
  { name: "phone number", pattern: /(?<!\w)\+?\d[\d ()-]{7,}\d\b/g },
];

export function checkText(rules: GuardrailRules, text: string, options: { enforceLength: boolean }): GuardrailVerdict {
  const lower = text.toLowerCase();
  const term = rules.deniedTerms.find((candidate) => candidate && lower.includes(candidate.toLowerCase()));
  if (term) return { ok: false, rule: `denied term "${term}"` };
  for (const source of rules.deniedPatterns) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, "i");
    } catch {
      // Fail closed: a guardrail that cannot be evaluated does not let text through.
      return { ok: false, rule: `denied pattern /${source}/ is not a valid regular expression` };
    }
    if (pattern.test(text)) return { ok: false, rule: `denied pattern /${source}/` };
  }
  if (options.enforceLength && rules.maxDeliverableChars !== null && text.length > rules.maxDeliverableChars) {
    return { ok: false, rule: `maximum length ${rules.maxDeliverableChars} characters (got ${text.length})` };
  }
  let masked = 0;
  let result = text;
  if (rules.pii !== "off") {
    for (const { name, pattern } of PII_PATTERNS) {
      const matches = result.match(pattern);
      if (!matches) continue;
      if (rules.pii === "block") return { ok: false, rule: `personal data (${name})` };
      masked += matches.length;
      result = result.replace(pattern, `[${name} removed]`);
    }
  }
  return { ok: true, text: result, masked };
}

/** Inputs are checked as the JSON the model will see; only blocking matters for them. */
export function checkInputs(rules: GuardrailRules, inputs: Record<string, unknown>): GuardrailVerdict {
  const verdict = checkText(rules, JSON.stringify(inputs), { enforceLength: false });
  return verdict.ok ? { ok: true, text: "", masked: 0 } : verdict;
}
