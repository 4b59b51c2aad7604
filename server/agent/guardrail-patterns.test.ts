import { describe, expect, it } from "vitest";
import { guardrailRulesInput } from "@/lib/schemas/guardrails";
import { linesOf, MAX_PATTERN_CHARS } from "@/lib/guardrail-patterns";
import { patternProblem, patternProblems } from "./guardrail-patterns";

describe("denied pattern checks", () => {
  it("accepts ordinary patterns, a look-behind and backtracking shapes included", () => {
    for (const source of [
      "\\bproject\\s+\\w+",
      "\\d{3}-\\d{2}-\\d{4}",
      "(?<!not )allowed",
      "(?<year>\\d{4})-\\d{2}",
      // Catastrophic under a backtracking engine, linear under RE2.
      "(a+)+$",
      "(a|a)*b",
      "(.|\\s)*z",
    ])
      expect(patternProblem(source), source).toBeNull();
  });

  it("refuses what RE2 cannot compile or is too long, in plain words", () => {
    expect(patternProblem("(unclosed")).toMatch(/^is not a valid regular expression/);
    expect(patternProblem("(?=x)y")).toBe(
      "uses a look-ahead, which guardrail patterns do not support: they are matched in linear time",
    );
    expect(patternProblem("(?!x)y")).toMatch(/^uses a look-ahead/);
    expect(patternProblem("(a)\\1")).toBe(
      "uses a back-reference, which guardrail patterns do not support: they are matched in linear time",
    );
    expect(patternProblem("(?<n>a)\\k<n>")).toMatch(/^uses a back-reference/);
    expect(patternProblem("(?<=(a+)+)b")).toMatch(/^has a capturing group inside a look-behind/);
    expect(patternProblem("\\u00e9")).toMatch(/^uses the escape \\u/);
    expect(patternProblem("a{1001}")).toMatch(/^has a repeat count above 1000/);
    expect(patternProblem("a++")).toMatch(/^puts one repeat right after another/);
    expect(patternProblem("x".repeat(MAX_PATTERN_CHARS + 1))).toMatch(/^is longer than/);
  });

  it("numbers each problem by the pattern's place in the list and joins them one per line", () => {
    expect(patternProblems(["ok", "[", "ok", "(?=x)"])).toEqual([
      "Pattern 2 is not a valid regular expression; check its brackets, parentheses and escapes.",
      "Pattern 4 uses a look-ahead, which guardrail patterns do not support: they are matched in linear time.",
    ]);
    // The shared schema (the browser's check) sees only lengths; whether a pattern compiles the
    // service says, on the same field.
    const rules = (deniedPatterns: string[]) =>
      guardrailRulesInput.safeParse({
        deniedTerms: [],
        deniedPatterns,
        pii: "off",
        maxDeliverableChars: null,
      });
    expect(rules(["[", "(?=x)"]).success).toBe(true);
    const tooLong = rules(["ok", "x".repeat(MAX_PATTERN_CHARS + 1)]);
    expect(tooLong.error?.issues.map((issue) => issue.message)).toEqual([
      `Pattern 2 is longer than ${MAX_PATTERN_CHARS} characters; shorten it.`,
    ]);
  });

  it("reads a text box as its non-blank lines, trimmed", () => {
    expect(linesOf("  a \n\n b\r\n  \n")).toEqual(["a", "b"]);
  });
});
