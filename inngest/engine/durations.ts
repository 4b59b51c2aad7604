/**
 * Durations as the SDK sends them: its own time strings ("1m30s", "2d", "1w") and Go
 * durations ("1h30m", "500ms", "1.5h"), or an ISO-8601 instant for sleepUntil-style values.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/y;

export const ONE_YEAR_MS = 365 * 86_400_000;

/** Milliseconds of a duration string, or null when it is not one. "" is zero. */
export function parseDurationMs(text: string): number | null {
  const value = text.trim();
  if (value === "") return 0;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < value.length) {
    const start = PART.lastIndex;
    const match = PART.exec(value);
    if (!match || match.index !== start) return null;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : null;
}

/** The instant a sleep or timeout ends: an ISO date, or now plus a duration. Capped at a year. */
export function resolveDeadline(value: unknown, now: number, fallbackMs = ONE_YEAR_MS): number {
  if (typeof value === "string") {
    const durationMs = parseDurationMs(value);
    if (durationMs !== null) return now + Math.min(durationMs, ONE_YEAR_MS);
    if (value.length >= 10) {
      const instant = Date.parse(value);
      if (!Number.isNaN(instant)) return Math.min(instant, now + ONE_YEAR_MS);
    }
  }
  return now + fallbackMs;
}
