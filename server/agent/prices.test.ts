import { describe, expect, it } from "vitest";
import { costOf } from "./prices";

const usage = {
  inputTokens: 1_000_000,
  outputTokens: 500_000,
  cacheReadTokens: 200_000,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
};

describe("costOf", () => {
  it("prices uncached input, cached input and output separately", () => {
    // 800k × 0.40 + 200k × 0.10 + 500k × 1.60 per million
    expect(costOf("openai:gpt-4.1-mini", usage)).toBe("1.140000");
  });

  it("has no cost for a model it does not know, instead of a guess", () => {
    expect(costOf("openai-compatible:llama3", usage)).toBeNull();
  });
});
