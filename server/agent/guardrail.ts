import "server-only";
import { findPhoneNumbersInText, type CountryCode, type PhoneNumber } from "libphonenumber-js/max";
import type { PiiKind } from "@/lib/enums";
import { compilePattern, type CompiledPattern } from "./guardrail-patterns";
import type { GuardrailRules } from "./config";

/** How many items of each kind of personal data a guardrail masked; a kind it did not mask is absent. */
export type PiiMaskCounts = Partial<Record<PiiKind, number>>;

/**
 * Guardrail checks on a run's inputs (before the turn) and its deliverable (after it):
 * denied terms and patterns, personal data (masked or blocked) and a maximum length.
 * `masked` counts what was replaced, by kind; empty means the text came back unchanged.
 */
export type GuardrailVerdict =
  { ok: true; text: string; masked: PiiMaskCounts } | { ok: false; rule: string };

/** A match as offsets into the text, `end` exclusive. */
type Span = { start: number; end: number };

// The lookbehind starts a match only at the beginning of a local part: without it a long run
// of such characters is rescanned from every position (quadratic on a 1 MB deliverable).
const EMAIL_ADDRESS = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;

// 13 to 19 digits, optionally grouped by single spaces or dashes, that are a whole run of digit
// groups (the lookarounds read at most two characters, so each start is tried once). The first
// digit is a payment-card industry (2 Mastercard, 3 Amex/JCB/Diners, 4 Visa, 5 Mastercard,
// 6 Discover/UnionPay/Maestro): millisecond timestamps and snowflake ids start with 1 and would
// otherwise pass the Luhn check one time in ten.
const CARD_NUMBER_CANDIDATE = /(?<!\d[ -]?)[2-6](?:[ -]?\d){12,18}(?![ -]?\d)/g;

// Numbers written with a leading + are found for every country. Numbers written without one
// are read as US numbers, (415) 555-2671 or 415-555-2671, the national format deliverables most
// often carry; another country's national format (020 7946 0958) is not recognised. The `max`
// metadata checks a candidate against the country's allocated number ranges, so a date or an
// order number rarely reads as a number that exists.
const NATIONAL_NUMBERS_OF: CountryCode = "US";

// A match touching a letter or digit, directly or through one joining character, is part of
// something else: an identifier (INV-2025-000123, 4111…-A), a URL path or a decimal (0.4111…).
const JOINED_BEFORE = /[\p{L}\p{N}][-_/.,#]?$/u;
const JOINED_AFTER = /^[-_/.,#]?[\p{L}\p{N}]/u;

function standsAlone(text: string, span: Span): boolean {
  return (
    !JOINED_BEFORE.test(text.slice(Math.max(0, span.start - 2), span.start)) &&
    !JOINED_AFTER.test(text.slice(span.end, span.end + 2))
  );
}

// Google's stricter "grouping" leniency, which the JavaScript port leaves out, for numbers
// written without a +: separators may be left out (4155552671) but not put where the country
// does not group (126.0.6478.126, a browser version, holds the valid +1 260-647-8126).
function isGroupedAsItsCountryDoes(candidate: string, number: PhoneNumber): boolean {
  const national = number.nationalNumber;
  const formattedGroups = number.formatNational().match(/\d+/g) ?? [];
  // Offsets into the national number where its country's format puts a separator (the
  // formatted number may start with a national prefix such as 0, which the offsets skip).
  const groupEnds = new Set<number>();
  let offset = national.length - formattedGroups.join("").length;
  for (const group of formattedGroups) groupEnds.add((offset += group.length));
  const writtenGroups = candidate.match(/\d+/g) ?? [];
  const nationalStart = writtenGroups.join("").indexOf(national);
  if (nationalStart < 0) return true;
  offset = -nationalStart;
  for (const group of writtenGroups) {
    offset += group.length;
    if (offset > 0 && offset < national.length && !groupEnds.has(offset)) return false;
  }
  return true;
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

const spansOf = (text: string, pattern: RegExp): Span[] =>
  Array.from(text.matchAll(pattern), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));

const PII_DETECTORS: { kind: PiiKind; name: string; find: (text: string) => Span[] }[] = [
  { kind: "email", name: "email address", find: (text) => spansOf(text, EMAIL_ADDRESS) },
  {
    kind: "payment_card",
    name: "payment card number",
    find: (text) =>
      spansOf(text, CARD_NUMBER_CANDIDATE).filter(
        (span) =>
          standsAlone(text, span) &&
          passesLuhn(text.slice(span.start, span.end).replace(/[ -]/g, "")),
      ),
  },
  {
    kind: "phone",
    name: "phone number",
    find: (text) =>
      findPhoneNumbersInText(text, { defaultCountry: NATIONAL_NUMBERS_OF })
        .filter((found) => {
          const candidate = text.slice(found.startsAt, found.endsAt);
          return candidate.startsWith("+") || isGroupedAsItsCountryDoes(candidate, found.number);
        })
        .map((found) => ({ start: found.startsAt, end: found.endsAt }))
        .filter((span) => standsAlone(text, span)),
  },
];

/** `text` with each span (in order, not overlapping) replaced by `replacement`. */
function replaceSpans(text: string, spans: Span[], replacement: string): string {
  const parts: string[] = [];
  let from = 0;
  for (const span of spans) {
    parts.push(text.slice(from, span.start), replacement);
    from = span.end;
  }
  parts.push(text.slice(from));
  return parts.join("");
}

/** How many items a guardrail masked in all. */
export function totalMasked(masked: PiiMaskCounts): number {
  return Object.values(masked).reduce<number>((sum, count) => sum + (count ?? 0), 0);
}

/**
 * The first denied term or pattern found in `text` (terms first, in the rules' order), with where
 * it matched (`end` exclusive, offsets in UTF-16 units like the text's); null when none is. A
 * pattern that does not compile (one saved before patterns were RE2 syntax) is reported with its
 * problem: the runtime refuses the text rather than skip a rule it cannot evaluate.
 */
export type DeniedMatch =
  | { kind: "term"; term: string; start: number; end: number }
  | { kind: "pattern"; pattern: string; start: number; end: number }
  | { kind: "invalid pattern"; pattern: string; problem: string };

// Runs of one guardrail check the same few patterns again and again; compiling is the costly part.
const MAX_CACHED_PATTERNS = 500;
const compiledPatterns = new Map<string, CompiledPattern>();

function compiledPattern(source: string): CompiledPattern {
  let compiled = compiledPatterns.get(source);
  if (!compiled) {
    if (compiledPatterns.size >= MAX_CACHED_PATTERNS) compiledPatterns.clear();
    compiled = compilePattern(source);
    compiledPatterns.set(source, compiled);
  }
  return compiled;
}

export function findDenied(
  rules: Pick<GuardrailRules, "deniedTerms" | "deniedPatterns">,
  text: string,
): DeniedMatch | null {
  const lower = text.toLowerCase();
  for (const term of rules.deniedTerms) {
    if (!term) continue;
    const start = lower.indexOf(term.toLowerCase());
    if (start >= 0) return { kind: "term", term, start, end: start + term.length };
  }
  for (const source of rules.deniedPatterns) {
    const compiled = compiledPattern(source);
    if (!compiled.ok)
      return { kind: "invalid pattern", pattern: source, problem: compiled.problem };
    const matcher = compiled.regex.matcher(text);
    if (matcher.find())
      return { kind: "pattern", pattern: source, start: matcher.start(), end: matcher.end() };
  }
  return null;
}

/** The rule a denied match breaks, as a run's failure names it. */
function ruleOf(match: DeniedMatch): string {
  switch (match.kind) {
    case "term":
      return `denied term "${match.term}"`;
    case "pattern":
      return `denied pattern /${match.pattern}/`;
    case "invalid pattern":
      // Fail closed: a guardrail that cannot be evaluated does not let text through.
      return `denied pattern /${match.pattern}/ cannot be used: it ${match.problem}`;
  }
}

export function checkText(
  rules: GuardrailRules,
  text: string,
  options: { enforceLength: boolean },
): GuardrailVerdict {
  const denied = findDenied(rules, text);
  if (denied) return { ok: false, rule: ruleOf(denied) };
  if (
    options.enforceLength &&
    rules.maxDeliverableChars !== null &&
    text.length > rules.maxDeliverableChars
  ) {
    return {
      ok: false,
      rule: `maximum length ${rules.maxDeliverableChars} characters (got ${text.length})`,
    };
  }
  const masked: PiiMaskCounts = {};
  let result = text;
  if (rules.pii !== "off") {
    // In order, each on the text the previous one masked: a card or phone number inside an
    // email address goes with the address.
    for (const { kind, name, find } of PII_DETECTORS) {
      const spans = find(result);
      if (spans.length === 0) continue;
      if (rules.pii === "block") return { ok: false, rule: `personal data (${name})` };
      masked[kind] = spans.length;
      result = replaceSpans(result, spans, `[${name} removed]`);
    }
  }
  return { ok: true, text: result, masked };
}

/** The strings and numbers in a JSON value, as written. */
function leafValues(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number") return [String(value)];
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(leafValues);
  return [];
}

/**
 * Inputs are checked as the JSON the model will see; only blocking matters for them. Personal
 * data is looked for in the values as written: in JSON a line break is `\n`, and the `n` glued
 * to the next line's number would make it read as part of a word.
 */
export function checkInputs(
  rules: GuardrailRules,
  inputs: Record<string, unknown>,
): GuardrailVerdict {
  const verdict = checkText({ ...rules, pii: "off" }, JSON.stringify(inputs), {
    enforceLength: false,
  });
  if (!verdict.ok) return verdict;
  const values = checkText(
    { ...rules, deniedTerms: [], deniedPatterns: [] },
    leafValues(inputs).join("\n"),
    { enforceLength: false },
  );
  return values.ok ? { ok: true, text: "", masked: {} } : values;
}
