/** What feedback on a run may hold and how its rollup is bucketed, for the form and the server. */

/** A comment says why in a few sentences; longer text belongs in a ticket. */
export const MAX_FEEDBACK_COMMENT_CHARS = 1000;

/** How many weeks a rollup shows by default, and at most. */
export const DEFAULT_ROLLUP_WEEKS = 12;
export const MAX_ROLLUP_WEEKS = 52;

/** How many of the latest comments a rollup carries. */
export const ROLLUP_COMMENTS = 5;

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The Monday 00:00 UTC that starts the ISO week `at` is in (PostgreSQL's `date_trunc('week', …)`). */
export function weekStartUtc(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 24 * 60 * 60 * 1000);
}

export type FeedbackWeek = {
  /** Monday 00:00 UTC. */
  weekStart: Date;
  good: number;
  bad: number;
  /** good / (good + bad); null for a week nobody rated, which is no evidence either way. */
  goodShare: number | null;
};

/** The share of good ratings, null when there are none. */
export const goodShareOf = (good: number, bad: number): number | null =>
  good + bad === 0 ? null : good / (good + bad);

/**
 * `weeks` consecutive weeks ending with the one `now` is in, oldest first, each with the counts
 * found for it (weeks without any are zero, with a null share).
 */
export function fillWeeks(
  counted: { weekStart: Date; good: number; bad: number }[],
  weeks: number,
  now: Date,
): FeedbackWeek[] {
  const byWeek = new Map(counted.map((row) => [row.weekStart.getTime(), row]));
  const last = weekStartUtc(now).getTime();
  return Array.from({ length: weeks }, (_, index) => {
    const weekStart = new Date(last - (weeks - 1 - index) * WEEK_MS);
    const row = byWeek.get(weekStart.getTime());
    const good = row?.good ?? 0;
    const bad = row?.bad ?? 0;
    return { weekStart, good, bad, goodShare: goodShareOf(good, bad) };
  });
}

/** The first instant a rollup of `weeks` weeks counts: the Monday that starts its oldest week. */
export const rollupStart = (weeks: number, now: Date): Date =>
  new Date(weekStartUtc(now).getTime() - (weeks - 1) * WEEK_MS);
