import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit counters shared by every app process (rate-limiter-flexible's `RateLimiterDrizzle`
 * reads and writes the columns by these names): one row per key and window, counted with a
 * single upsert, so two processes behind one load balancer allow a limit once, not twice.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text().primaryKey(),
  points: integer().notNull().default(0),
  /** When the current window ends; the next point after it starts a new window. */
  expire: timestamp({ withTimezone: true }),
});
