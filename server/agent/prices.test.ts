import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { validateEnv } from "@/server/env-definition";
import { costOf, hasPrice, priceOf, pricedModels, readPriceFile } from "./prices";

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

describe("the price table", () => {
  it("prices every model the console offers, and only those", () => {
    expect(priceOf("anthropic:claude-sonnet-4-5")).toEqual({
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    });
    expect(pricedModels()).toContain("openai:gpt-4.1-mini");
    expect(pricedModels().every(hasPrice)).toBe(true);
    expect(priceOf("bedrock:anything")).toBeNull();
    // An inherited property is no model.
    expect(priceOf("constructor")).toBeNull();
  });
});

describe("readPriceFile", () => {
  const fileWith = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), "prices-")), "prices.json");
    writeFileSync(path, text);
    return path;
  };

  it("reads a deployment's table of provider:model prices", () => {
    expect(
      readPriceFile(
        fileWith(
          '{"openai-compatible:llama3": {"input": 0, "output": 0}, "openai:gpt-4.1-mini": {"input": 0.3, "output": 1.2}}',
        ),
      ),
    ).toEqual({
      "openai-compatible:llama3": { input: 0, output: 0 },
      "openai:gpt-4.1-mini": { input: 0.3, output: 1.2 },
    });
  });

  it("refuses a file it cannot use, naming the variable and the problem", () => {
    expect(() => readPriceFile("/no/such/prices.json")).toThrow(
      /^SKILLRUN_MODEL_PRICES_FILE: \/no\/such\/prices\.json cannot be read/,
    );
    expect(() => readPriceFile(fileWith("{ not json"))).toThrow(/is not JSON/);
    expect(() => readPriceFile(fileWith('{"gpt-4": {"input": 1, "output": 2}}'))).toThrow(
      /is not a price table: .*provider:model/s,
    );
    expect(() =>
      readPriceFile(fileWith('{"openai:gpt-4": {"input": -1, "output": 2, "extra": 1}}')),
    ).toThrow(/is not a price table/);
  });
});

describe("the app's environment check of SKILLRUN_MODEL_PRICES_FILE", () => {
  afterEach(() => vi.unstubAllEnvs());

  /** What validateEnv logs and throws with the variable set to `path`. */
  function checkWith(path: string, building = false) {
    vi.stubEnv("SKILLRUN_MODEL_PRICES_FILE", path);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      validateEnv({ building });
      return null;
    } catch (error) {
      return { error, logged: JSON.stringify(errors.mock.calls) };
    } finally {
      errors.mockRestore();
    }
  }

  it("stops the app at startup on a file it cannot use, naming the variable and the problem", () => {
    const directory = mkdtempSync(join(tmpdir(), "prices-"));
    const broken = join(directory, "prices.json");
    writeFileSync(broken, "{ not json");
    for (const path of [broken, join(directory, "missing.json")]) {
      const refused = checkWith(path);
      expect(refused?.error).toEqual(new Error("Invalid environment variables"));
      expect(refused?.logged).toContain("SKILLRUN_MODEL_PRICES_FILE");
      expect(refused?.logged).toContain(path);
    }
  });

  it("accepts a price table, and leaves the file to runtime during `next build`", () => {
    const directory = mkdtempSync(join(tmpdir(), "prices-"));
    const table = join(directory, "prices.json");
    writeFileSync(table, '{"openai-compatible:llama3": {"input": 0, "output": 0}}');
    expect(checkWith(table)).toBeNull();
    expect(checkWith(join(directory, "missing.json"), true)).toBeNull();
  });
});
