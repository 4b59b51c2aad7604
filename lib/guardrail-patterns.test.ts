import { describe, expect, it } from "vitest";
import { guardrailRulesInput } from "@/lib/schemas/guardrails";
import { linesOf, MAX_PATTERN_CHARS, patternProblem, patternProblems } from "./guardrail-patterns";

describe("denied pattern checks", () => {
  it("accepts ordinary patterns, lookbehind included", () => {
    for (const source of [
      "\\bproject\\s+\\w+",
      "\\d{3}-\\d{2}-\\d{4}",
      "(?<!not )allowed",
      "(?<year>\\d{4})-\\d{2}",
    ])
      expect(patternProblem(source), source).toBeNull();
  });

  it("refuses what does not compile, nests repeats, or is too long, in plain words", () => {
    expect(patternProblem("(unclosed")).toMatch(/^is not a valid regular expression/);
    expect(patternProblem("(a+)+$")).toMatch(/^could take very long/);
    expect(patternProblem("(?<=(a+)+)b")).toMatch(/^could take very long/);
    expect(patternProblem("x".repeat(MAX_PATTERN_CHARS + 1))).toMatch(/^is longer than/);
  });

  it("numbers each problem by the pattern's place in the list and joins them one per line", () => {
    expect(patternProblems(["ok", "[", "ok", "(x*)*"])).toEqual([
      "Pattern 2 is not a valid regular expression; check its brackets, parentheses and escapes.",
      "Pattern 4 could take very long on some text (a repeat inside a repeat, or too many repeats); simplify it.",
    ]);
    const parsed = guardrailRulesInput.safeParse({
      deniedTerms: [],
      deniedPatterns: ["[", "(x*)*"],
      pii: "off",
      maxDeliverableChars: null,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
      patternProblems(["[", "(x*)*"]).join("\n"),
    ]);
  });

  it("reads a text box as its non-blank lines, trimmed", () => {
    expect(linesOf("  a \n\n b\r\n  \n")).toEqual(["a", "b"]);
  });
});
