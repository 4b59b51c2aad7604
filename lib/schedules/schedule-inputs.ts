import type { RelativeDateValue, ScheduleInputValue } from "@/lib/schemas/schedules";

export type { ScheduleInputValue };

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a timezone. */
export function calendarDateIn(timezone: string, at: Date): string {
  let format = dateFormats.get(timezone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dateFormats.set(timezone, format);
  }
  return format.format(at);
}

function addDays(date: string, days: number): string {
  const utc = new Date(`${date}T00:00:00.000Z`);
  utc.setUTCDate(utc.getUTCDate() + days);
  return utc.toISOString().slice(0, 10);
}

/** Monday-based: the Monday on or before `date`. */
function startOfWeek(date: string): string {
  const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

export function resolveRelativeDate(value: RelativeDateValue, timezone: string, at: Date): string {
  const today = calendarDateIn(timezone, at);
  return addDays(value.anchor === "start-of-week" ? startOfWeek(today) : today, value.offsetDays);
}

/** The inputs a slot's run gets: relative dates computed at fire time, in the schedule's timezone. */
export function resolveScheduleInputs(
  inputs: Record<string, ScheduleInputValue>,
  timezone: string,
  at: Date,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      name,
      value.kind === "literal" ? value.value : resolveRelativeDate(value, timezone, at),
    ]),
  );
}

export function describeRelativeDate(value: RelativeDateValue): string {
  const anchor = value.anchor === "today" ? "today" : "start of this week";
  if (value.offsetDays === 0) return anchor;
  return `${anchor} ${value.offsetDays > 0 ? "+" : "−"} ${Math.abs(value.offsetDays)} day${Math.abs(value.offsetDays) === 1 ? "" : "s"}`;
}
