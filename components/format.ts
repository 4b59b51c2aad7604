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
  const exact = (date.getTime() - now) / 1000;
  // A moment still ahead is never "just now": a fire due in 3 s has not happened.
  if (exact > 0 && exact < 60) return relative.format(Math.max(1, Math.ceil(exact)), "second");
  const seconds = Math.round(exact);
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

/** Whole seconds, for a clock that counts up: "42 s", "3 min 5 s". */
export function formatElapsed(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The compact distance from now: "in 42 s", "in 5 min", "3 min ago", "2 days ago". */
export function formatFromNow(date: Date, now = Date.now()): string {
  const exact = (date.getTime() - now) / 1000;
  if (exact > 0) {
    // Rounded up: "in 0 s" would read as now, and the moment is still ahead.
    const ahead = Math.ceil(exact);
    if (ahead < MINUTE) return `in ${ahead} s`;
    return `in ${span(ahead)}`;
  }
  const ago = Math.floor(-exact);
  if (ago < 5) return "just now";
  if (ago < MINUTE) return `${ago} s ago`;
  return `${span(ago)} ago`;
}

function span(seconds: number): string {
  if (seconds < HOUR) return `${Math.round(seconds / MINUTE)} min`;
  if (seconds < DAY) {
    const hours = Math.floor(seconds / HOUR);
    const minutes = Math.round((seconds - hours * HOUR) / MINUTE);
    return minutes === 0 || hours >= 6
      ? `${Math.round(seconds / HOUR)} h`
      : `${hours} h ${minutes} min`;
  }
  const days = Math.round(seconds / DAY);
  return `${days} day${days === 1 ? "" : "s"}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function formatOf(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = zoneFormats.get(key);
  if (!format) {
    format = make();
    zoneFormats.set(key, format);
  }
  return format;
}

const partsIn = (timeZone: string, date: Date) =>
  Object.fromEntries(
    formatOf(
      `parts:${timeZone}`,
      () =>
        new Intl.DateTimeFormat("en-GB", {
          timeZone,
          weekday: "short",
          day: "numeric",
          month: "short",
          year: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        }),
    )
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  ) as Record<"weekday" | "day" | "month" | "year" | "hour" | "minute", string>;

/**
 * The zone's short name at `date`: "CET", "EST", "UTC"; an offset ("GMT+5:30") where English has
 * no abbreviation. en-US knows the American names and en-GB the European ones.
 */
export function zoneAbbreviation(timeZone: string, date: Date): string {
  let offset = "";
  for (const locale of ["en-US", "en-GB"]) {
    const name = formatOf(
      `name:${locale}:${timeZone}`,
      () => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" }),
    )
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value;
    if (!name) continue;
    if (!/^GMT[+-]/.test(name)) return name === "GMT" && timeZone.includes("UTC") ? "UTC" : name;
    offset ||= name;
  }
  return offset || timeZone;
}

const isUtcZone = (timeZone: string) => /^(Etc\/)?(UTC|UCT|Zulu|Universal|GMT)$/i.test(timeZone);

/** Whether a timezone is UTC under another name, so a second "in UTC" column would repeat it. */
export const isUtc = (timeZone: string) => isUtcZone(timeZone.trim());

/**
 * A moment in a schedule's timezone, 24 h: "Mon 08:30 CET" within a week of `now`,
 * "Mon 7 Dec 08:30 CET" further off, with the year when it is not `now`'s.
 * `withDate` always shows the date (a list of fire times reads better with it).
 */
export function formatInZone(
  date: Date,
  timeZone: string,
  { now = Date.now(), withDate = false }: { now?: number; withDate?: boolean } = {},
): string {
  const parts = partsIn(timeZone, date);
  const time = `${parts.hour}:${parts.minute} ${zoneAbbreviation(timeZone, date)}`;
  const near = Math.abs(date.getTime() - now) < 6 * DAY * 1000;
  if (near && !withDate) return `${parts.weekday} ${time}`;
  const sameYear = partsIn(timeZone, new Date(now)).year === parts.year;
  return `${parts.weekday} ${parts.day} ${parts.month}${sameYear ? "" : ` ${parts.year}`} ${time}`;
}

/** The same moment in UTC, for a hover: "Mon 7 Dec 2026 07:30 UTC". */
export function formatUtc(date: Date): string {
  const parts = partsIn("UTC", date);
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year} ${parts.hour}:${parts.minute} UTC`;
}
