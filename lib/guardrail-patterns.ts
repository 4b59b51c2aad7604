import safeRegex from "safe-regex2";

/**
 * Longest denied pattern accepted. safe-regex2 catches nested repetition (`(a+)+`), the usual
 * cause of catastrophic backtracking, but not every slow shape (overlapping alternatives under a
 * star); a short pattern keeps what it misses small.
 */
export const MAX_PATTERN_CHARS = 300;

/**
 * What is wrong with one denied pattern, as a phrase after "Pattern N", or null when it is fine.
 * Checked as the guardrail runs it: a JavaScript regular expression, case-insensitive.
 */
export function patternProblem(source: string): string | null {
  if (source.length > MAX_PATTERN_CHARS)
    return `is longer than ${MAX_PATTERN_CHARS} characters; shorten it`;
  try {
    new RegExp(source, "i");
  } catch {
    return "is not a valid regular expression; check its brackets, parentheses and escapes";
  }
  // Its parser does not know lookbehind; read as a plain group it nests the same way.
  if (!safeRegex(source.replaceAll(/\(\?<[=!]/g, "(?:")))
    return "could take very long on some text (a repeat inside a repeat, or too many repeats); simplify it";
  return null;
}

/** One line per broken pattern, numbered as the patterns are listed (blank lines not counted). */
export function patternProblems(patterns: readonly string[]): string[] {
  return patterns.flatMap((source, index) => {
    const problem = patternProblem(source);
    return problem ? [`Pattern ${index + 1} ${problem}.`] : [];
  });
}

/** The non-blank lines of a text box, trimmed at their ends: one term or pattern per line. */
export const linesOf = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
