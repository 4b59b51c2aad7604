import "server-only";

import type { TokenUsage } from "./usage";

/**
 * USD per million tokens by model, as the providers publish them. Versioned, so a run's cost
 * can be explained later; a model not in the table has no cost rather than a guess.
 */
export const PRICE_TABLE_VERSION = "2026-11-01";

type Price = { input: number; output: number; cacheRead?: number; cacheWrite?: number };

const PRICES: Record<string, Price> = {
  "openai:gpt-4.1": { input: 2, output: 8, cacheRead: 0.5 },
  "openai:gpt-4.1-mini": { input: 0.4, output: 1.6, cacheRead: 0.1 },
  "openai:gpt-4.1-nano": { input: 0.1, output: 0.4, cacheRead: 0.025 },
  "openai:gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  "openai:gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  "anthropic:claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "anthropic:claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "anthropic:claude-opus-4-1": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
};

/** The models the table prices, `provider:model`: the console offers them as choices. */
export const PRICED_MODELS: readonly string[] = Object.keys(PRICES);

/** Whether runs of `model` have a cost: a model not in the table has none. */
export const hasPrice = (model: string) => Object.hasOwn(PRICES, model);

/** The cost of a turn in USD (6 decimals, as the column stores it), or null for an unpriced model. */
export function costOf(model: string, usage: TokenUsage): string | null {
  const price = PRICES[model];
  if (!price) return null;
  const uncachedInput = Math.max(
    usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens,
    0,
  );
  const dollars =
    (uncachedInput * price.input +
      usage.cacheReadTokens * (price.cacheRead ?? price.input) +
      usage.cacheWriteTokens * (price.cacheWrite ?? price.input) +
      usage.outputTokens * price.output) /
    1_000_000;
  return dollars.toFixed(6);
}
