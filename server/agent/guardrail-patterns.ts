import "server-only";
import { RE2JS, RE2JSSyntaxException } from "re2js";
import { MAX_PATTERN_CHARS } from "@/lib/guardrail-patterns";

// Case-insensitive like the terms. Captureless look-behinds run in linear time in re2js (off in
// standard RE2), so the look-behinds patterns could use under JavaScript's RegExp keep working.
const PATTERN_FLAGS = RE2JS.CASE_INSENSITIVE | RE2JS.LOOKBEHINDS;

const LINEAR_TIME = "guardrail patterns do not support: they are matched in linear time";

/** RE2's reason a pattern does not compile, as a phrase after "Pattern N". */
function problemOfSyntax(error: RE2JSSyntaxException): string {
  const fragment = error.getPattern() ?? "";
  switch (error.getDescription()) {
    case "invalid or unsupported Perl syntax":
      if (fragment.startsWith("(?=") || fragment.startsWith("(?!"))
        return `uses a look-ahead, which ${LINEAR_TIME}`;
      break;
    case "invalid escape sequence":
      if (/^\\([1-9]|k)/.test(fragment)) return `uses a back-reference, which ${LINEAR_TIME}`;
      return `uses the escape ${fragment}, which guardrail patterns do not know (write a character by its code as \\x{00E9})`;
    case "invalid capture in lookbehind":
      return "has a capturing group inside a look-behind; use a non-capturing group (?:…) there";
    case "invalid repeat count":
      return "has a repeat count above 1000 or with its numbers the wrong way round";
    case "invalid nested repetition operator":
      return "puts one repeat right after another (like a++); remove one";
  }
  return "is not a valid regular expression; check its brackets, parentheses and escapes";
}

export type CompiledPattern = { ok: true; regex: RE2JS } | { ok: false; problem: string };

/**
 * A denied pattern as the guardrail runs it: RE2 syntax, case-insensitive, matched in time linear
 * in the text (no backtracking, so no pattern can hang a run). `problem` is a phrase after
 * "Pattern N" when it does not compile.
 */
export function compilePattern(source: string): CompiledPattern {
  try {
    return { ok: true, regex: RE2JS.compile(source, PATTERN_FLAGS) };
  } catch (error) {
    if (error instanceof RE2JSSyntaxException)
      return { ok: false, problem: problemOfSyntax(error) };
    return { ok: false, problem: "is too complex to match; simplify it" };
  }
}

/** What is wrong with one denied pattern, as a phrase after "Pattern N", or null when it is fine. */
export function patternProblem(source: string): string | null {
  if (source.length > MAX_PATTERN_CHARS)
    return `is longer than ${MAX_PATTERN_CHARS} characters; shorten it`;
  const compiled = compilePattern(source);
  return compiled.ok ? null : compiled.problem;
}

/**
 * One line per broken pattern, numbered as the patterns are listed (blank lines not counted).
 * The server is the arbiter: the browser checks only lengths (`patternLengthProblems`), so the
 * RE2 engine never ships to it.
 */
export function patternProblems(patterns: readonly string[]): string[] {
  return patterns.flatMap((source, index) => {
    const problem = patternProblem(source);
    return problem ? [`Pattern ${index + 1} ${problem}.`] : [];
  });
}
