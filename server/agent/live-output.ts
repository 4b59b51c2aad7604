import "server-only";
import type { GuardrailRules } from "./config";
import { checkText } from "./guardrail";

/**
 * What the run page shows of a deliverable while the model writes it. `withheld`: the text so
 * far would not pass the agent's guardrail (a denied term or pattern, personal data under a
 * "block" rule, the length limit), so nothing of it is shown.
 */
export type LiveOutput = { text: string; withheld: boolean };

// A token made of what phone and card numbers are written with ("(415)", "555-2671,", "ext."):
// the guardrail may match a number across several of them, so a trailing run of such tokens is
// held back until a word that cannot continue the number follows.
const NUMBER_PART = /^(?:[\d()+\-./#*]*\d[\d()+\-./#*]*[,;:]?|[()+]+|ext\.?|x|extension)$/i;

/**
 * Where the shown text ends: before the last token (the model may still be writing it), before
 * any number-like tokens ahead of it, far enough back that no denied term can have begun in
 * the shown part, and, when the rules deny patterns (which may match across words), at the
 * last line break.
 */
function publishableEnd(rules: GuardrailRules, text: string): number {
  let end = text.length;
  if (!/\s$/.test(text)) end = text.search(/\S+$/);
  for (;;) {
    const before = text.slice(0, end);
    const token = /(\S+)(\s+)$/.exec(before);
    if (!token?.[1] || !NUMBER_PART.test(token[1])) break;
    end = before.length - token[0].length;
  }
  const longestTerm = Math.max(0, ...rules.deniedTerms.map((term) => term.length));
  if (longestTerm > 0) {
    // Cut at a word's start, not inside it.
    const cut = Math.max(0, text.length - (longestTerm - 1));
    end = Math.min(end, text.slice(0, cut).search(/\S*$/));
  }
  if (rules.deniedPatterns.length > 0) end = Math.min(end, text.lastIndexOf("\n") + 1);
  return Math.max(0, end);
}

/**
 * The part of `text` (the model's answer so far, not yet trimmed) that may be shown, after the
 * same guardrail the finished deliverable passes: personal data masked exactly as in the
 * deliverable, a tail that could still become something the guardrail replaces held back, and
 * nothing at all once the text so far would be blocked. Without a guardrail, the text as written.
 */
export function liveOutputOf(rules: GuardrailRules | null, text: string): LiveOutput {
  const answer = text.trimStart();
  if (!rules) return { text: answer, withheld: false };
  // Blocking is judged on everything written so far, held-back tail included.
  const whole = checkText({ ...rules, pii: rules.pii === "block" ? "block" : "off" }, answer, {
    enforceLength: true,
  });
  if (!whole.ok) return { text: "", withheld: true };
  const shown = checkText(rules, answer.slice(0, publishableEnd(rules, answer)), {
    enforceLength: false,
  });
  return shown.ok ? { text: shown.text, withheld: false } : { text: "", withheld: true };
}
