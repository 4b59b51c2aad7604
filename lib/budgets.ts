import { Cron } from "croner";

/** A budget month: from local midnight on the 1st in the budget's zone to the next one. */
export type BudgetMonth = { start: Date; end: Date; label: string };

/**
 * The month `at` falls in, in `timezone`: croner finds the local midnights of the 1st (DST
 * included), so a run at 23:30 on 31 January in Berlin belongs to January though UTC says 22:30.
 */
export function budgetMonthAt(timezone: string, at: Date): BudgetMonth {
  const firstOfMonth = new Cron("0 0 1 * *", { timezone, mode: "5-part", paused: true });
  const [start] = firstOfMonth.previousRuns(1, new Date(at.getTime() + 1));
  const end = firstOfMonth.nextRun(at);
  if (!start || !end)
    throw new Error(`No month boundary around ${at.toISOString()} in ${timezone}`);
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
  }).formatToParts(start);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? "";
  return { start, end, label: `${part("year")}-${part("month")}` };
}

/**
 * The `fraction` quantile (0–1) of `values`, interpolated between the two nearest ranks as
 * PostgreSQL's `percentile_cont` does; null for no values.
 */
export function quantile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * fraction;
  const below = Math.floor(rank);
  const lower = sorted[below] ?? 0;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (rank - below);
}

/** A dollar amount for people: cents above $1, else enough digits to tell small runs apart. */
export function formatUsd(amount: number): string {
  if (amount === 0) return "$0";
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  if (amount >= 0.01) return `$${amount.toFixed(3)}`;
  return `$${amount.toPrecision(2)}`;
}
