const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

export function formatRelative(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 5) return "just now";
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size || unit === "second")
      return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, "second");
}

export const formatAbsolute = (date: Date) => absolute.format(date);

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

/** How long a run took, or has been going; null before it started. */
export function runDuration(
  run: { startedAt: Date | null; finishedAt: Date | null },
  now = Date.now(),
): number | null {
  if (!run.startedAt) return null;
  return (run.finishedAt?.getTime() ?? now) - run.startedAt.getTime();
}

export function formatTokens(input: number | null, output: number | null): string {
  if (input === null && output === null) return "—";
  return new Intl.NumberFormat("en").format((input ?? 0) + (output ?? 0));
}

export function formatCost(costUsd: string | null): string {
  if (costUsd === null) return "—";
  const value = Number(costUsd);
  return value === 0 ? "$0" : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

/** How often a view polls while something it shows can still change. */
export const LIVE_POLL_MS = 2000;
/** How often a list polls when nothing on it is moving, so runs started elsewhere still appear. */
export const IDLE_POLL_MS = 30_000;
