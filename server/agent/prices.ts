import "server-only";
import { env } from "@/server/env";
import { type Price, readPriceFile } from "./price-file";
import type { TokenUsage } from "./usage";

export { readPriceFile, type Price };

/**
 * The one source of model prices: USD per million tokens by `provider:model`. The built-in
 * table is copied from the providers' pricing pages (openai.com/api/pricing,
 * anthropic.com/pricing) on the date below; a deployment lays its own prices over it with
 * `SKILLRUN_MODEL_PRICES_FILE` (a JSON object of the same shape), e.g. for a negotiated rate or
 * a local `openai-compatible:` model. A model in neither has no cost rather than a guess.
 *
 * Why not a package: tokenlens 1.3.1 (models.dev's catalog) lacks claude-sonnet-4-5 and
 * claude-haiku-4-5, and rounds gpt-4.1-nano's cached input to $0.03 (published: $0.025).
 */
export const BUILT_IN_PRICES_AS_OF = "2026-11-01";

const BUILT_IN_PRICES: Record<string, Price> = {
  "openai:gpt-4.1": { input: 2, output: 8, cacheRead: 0.5 },
  "openai:gpt-4.1-mini": { input: 0.4, output: 1.6, cacheRead: 0.1 },
  "openai:gpt-4.1-nano": { input: 0.1, output: 0.4, cacheRead: 0.025 },
  "openai:gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  "openai:gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  "anthropic:claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "anthropic:claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "anthropic:claude-opus-4-1": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
};

let prices: Record<string, Price> | null = null;
/** The built-in table with the deployment's file over it, read once. */
function currentPrices(): Record<string, Price> {
  prices ??= {
    ...BUILT_IN_PRICES,
    ...(env.SKILLRUN_MODEL_PRICES_FILE ? readPriceFile(env.SKILLRUN_MODEL_PRICES_FILE) : {}),
  };
  return prices;
}

/** The price of `model`, or null when it has none. */
export const priceOf = (model: string): Price | null =>
  Object.hasOwn(currentPrices(), model) ? (currentPrices()[model] ?? null) : null;

/** The models the table prices, `provider:model`: the console offers them as choices. */
export const pricedModels = (): readonly string[] => Object.keys(currentPrices());

/** Whether runs of `model` have a cost: a model not in the table has none. */
export const hasPrice = (model: string) => priceOf(model) !== null;

/** The cost of `usage` at `price`, in USD. */
export function costAt(price: Price, usage: TokenUsage): number {
  const uncachedInput = Math.max(
    usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens,
    0,
  );
  return (
    (uncachedInput * price.input +
      usage.cacheReadTokens * (price.cacheRead ?? price.input) +
      usage.cacheWriteTokens * (price.cacheWrite ?? price.input) +
      usage.outputTokens * price.output) /
    1_000_000
  );
}

/** The cost of a turn in USD (6 decimals, as the column stores it), or null for an unpriced model. */
export function costOf(model: string, usage: TokenUsage): string | null {
  const modelPrice = priceOf(model);
  return modelPrice ? costAt(modelPrice, usage).toFixed(6) : null;
}
