/**
 * Longest denied pattern accepted. Matching is linear in the text whatever the pattern (RE2,
 * `server/agent/guardrail-patterns.ts`), but the automaton grows with the pattern; a short one
 * keeps each check cheap.
 */
export const MAX_PATTERN_CHARS = 300;

/**
 * The checks of denied patterns the browser can make without the RE2 engine: their length. Whether
 * each compiles the server says (`patternProblems`), as a field error on the same field.
 */
export function patternLengthProblems(patterns: readonly string[]): string[] {
  return patterns.flatMap((source, index) =>
    source.length > MAX_PATTERN_CHARS
      ? [`Pattern ${index + 1} is longer than ${MAX_PATTERN_CHARS} characters; shorten it.`]
      : [],
  );
}

/** The non-blank lines of a text box, trimmed at their ends: one term or pattern per line. */
export const linesOf = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
