import "server-only";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "@/server/db/client";
import { rateLimits } from "@/server/db/schema";

/** At most `points` takes per key in each window of `windowSeconds` (a fixed window, started by the first take). */
export type RateLimitRule = { points: number; windowSeconds: number };

export type RateLimits = {
  /** Takes one point from `key`'s budget: 0 when it was within the rule, else the seconds until the window ends. */
  take(key: string, rule: RateLimitRule): Promise<number>;
};

/**
 * Rate limits counted in PostgreSQL (`rate_limits`), so every app process draws on the same
 * budget: two processes behind one load balancer allow a limit once in total, not once each.
 * A take is one upsert (rate-limiter-flexible's `RateLimiterDrizzle`). A key that has used up
 * its window is also refused from this process's memory until the window ends, so a flood of
 * refused requests costs no database writes.
 */
export function createRateLimits(db: Database): RateLimits {
  const byRule = new Map<string, RateLimiterDrizzle>();
  const limiterFor = (rule: RateLimitRule) => {
    const ruleKey = `${rule.points}/${rule.windowSeconds}`;
    let limiter = byRule.get(ruleKey);
    if (!limiter) {
      limiter = new RateLimiterDrizzle({
        storeClient: db,
        schema: rateLimits,
        // Keys are namespaced by their callers; the rule is not part of the key, so a changed
        // limit (a webhook's per-minute setting) keeps counting the window already under way.
        keyPrefix: "",
        points: rule.points,
        duration: rule.windowSeconds,
        inMemoryBlockOnConsumed: rule.points,
        // One limiter deletes long-expired rows (every 5 min); the others need not repeat it.
        clearExpiredByTimeout: byRule.size === 0,
      });
      byRule.set(ruleKey, limiter);
    }
    return limiter;
  };

  return {
    async take(key, rule) {
      try {
        await limiterFor(rule).consume(key);
        return 0;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes)
          return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}
