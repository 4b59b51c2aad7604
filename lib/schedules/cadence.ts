import { Cron } from "croner";
import cronstrue from "cronstrue";
import { CRON_SHAPE_HINT, explainCronProblem } from "./cron-fields";

/** A refused cadence names its field, so the editor marks the timezone alone when only it is wrong. */
export type CadenceCheck = { ok: true } | { ok: false; field: "cron" | "timezone"; error: string };
export type CadenceErrors = { cron?: string; timezone?: string };

/** A 5-field cron expression read in an IANA timezone; croner does the calendar and DST math. */
function cronOf(expression: string, timezone: string) {
  return new Cron(expression.trim(), { timezone, mode: "5-part", paused: true });
}

export function isValidTimeZone(timezone: string): boolean {
  if (!timezone) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with the cron expression and with the timezone, each on its own: croner judges
 * the expression (read in UTC when the timezone is unknown), and its refusal is worded per field.
 */
export function cadenceErrors(expression: string, timezone: string): CadenceErrors {
  const errors: CadenceErrors = {};
  const zoneValid = isValidTimeZone(timezone);
  if (!zoneValid)
    errors.timezone = timezone.trim()
      ? `"${timezone}" is not an IANA timezone.`
      : "Choose a timezone, like Europe/Berlin.";
  try {
    if (!cronOf(expression, zoneValid ? timezone : "UTC").nextRun(new Date()))
      errors.cron = "This cron expression never fires (a date like 31 February never comes).";
  } catch {
    errors.cron = explainCronProblem(expression) ?? `${CRON_SHAPE_HINT}.`;
  }
  return errors;
}

export function checkCadence(expression: string, timezone: string): CadenceCheck {
  const errors = cadenceErrors(expression, timezone);
  if (errors.timezone) return { ok: false, field: "timezone", error: errors.timezone };
  if (errors.cron) return { ok: false, field: "cron", error: errors.cron };
  return { ok: true };
}

/** The first fire time strictly after `after`, or null if the expression never fires again. */
export function nextFireAfter(expression: string, timezone: string, after: Date): Date | null {
  return cronOf(expression, timezone).nextRun(after);
}

export function nextFireTimes(
  expression: string,
  timezone: string,
  after: Date,
  count: number,
): Date[] {
  return cronOf(expression, timezone).nextRuns(count, after);
}

/** "At 08:30, Monday through Friday", or null for an expression cronstrue cannot read. */
export function describeCadence(expression: string): string | null {
  try {
    return cronstrue.toString(expression.trim(), {
      use24HourTimeFormat: true,
      verbose: false,
      throwExceptionOnParseError: true,
    });
  } catch {
    return null;
  }
}

/** The UTC offset of `timezone` at `at`, e.g. "GMT+01:00". */
export function utcOffsetAt(timezone: string, at: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: timezone, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((candidate) => candidate.type === "timeZoneName");
  return part?.value === "GMT" ? "GMT+00:00" : (part?.value ?? "GMT+00:00");
}

/** Offset changes (DST transitions) between `from` and the last of `times`, each as "before → after". */
export function offsetChangesAcross(
  timezone: string,
  from: Date,
  times: Date[],
): { at: Date; from: string; to: string }[] {
  const changes: { at: Date; from: string; to: string }[] = [];
  let previous = utcOffsetAt(timezone, from);
  for (const time of times) {
    const offset = utcOffsetAt(timezone, time);
    if (offset !== previous) changes.push({ at: time, from: previous, to: offset });
    previous = offset;
  }
  return changes;
}

export type CadencePreset =
  | { kind: "hourly"; minute: number }
  | { kind: "daily"; hour: number; minute: number }
  | { kind: "weekdays"; hour: number; minute: number }
  | { kind: "weekly"; dayOfWeek: number; hour: number; minute: number }
  | { kind: "monthly"; dayOfMonth: number; hour: number; minute: number };

/** The cron expression of a preset; the editor's raw field shows and accepts the same thing. */
export function cronOfPreset(preset: CadencePreset): string {
  switch (preset.kind) {
    case "hourly":
      return `${preset.minute} * * * *`;
    case "daily":
      return `${preset.minute} ${preset.hour} * * *`;
    case "weekdays":
      return `${preset.minute} ${preset.hour} * * 1-5`;
    case "weekly":
      return `${preset.minute} ${preset.hour} * * ${preset.dayOfWeek}`;
    case "monthly":
      return `${preset.minute} ${preset.hour} ${preset.dayOfMonth} * *`;
  }
}

const WEEKDAY_RANGES = new Set(["1-5", "MON-FRI"]);
const numberIn = (text: string | undefined, min: number, max: number) => {
  if (text === undefined || !/^\d{1,2}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
};

/** The preset a cron expression is, so the editor shows "Weekdays at 08:30" rather than "Custom". */
export function presetOfCron(expression: string): CadencePreset | null {
  const [minuteText, hourText, dayText, month, weekday, ...rest] = expression.trim().split(/\s+/);
  if (rest.length || month !== "*" || weekday === undefined) return null;
  const minute = numberIn(minuteText, 0, 59);
  if (minute === null) return null;
  if (hourText === "*")
    return dayText === "*" && weekday === "*" ? { kind: "hourly", minute } : null;
  const hour = numberIn(hourText, 0, 23);
  if (hour === null) return null;
  if (dayText !== "*") {
    const dayOfMonth = numberIn(dayText, 1, 28);
    return dayOfMonth !== null && weekday === "*"
      ? { kind: "monthly", dayOfMonth, hour, minute }
      : null;
  }
  if (weekday === "*") return { kind: "daily", hour, minute };
  if (WEEKDAY_RANGES.has(weekday.toUpperCase())) return { kind: "weekdays", hour, minute };
  const dayOfWeek = numberIn(weekday, 0, 7);
  return dayOfWeek === null ? null : { kind: "weekly", dayOfWeek: dayOfWeek % 7, hour, minute };
}

/** Fire times walked at most; a denser cadence's month is extrapolated from their span. */
const MAX_FIRES_WALKED = 1_000;

/**
 * How often the cadence fires, in its timezone, in the month after `from` (up to the same
 * date next month, so a monthly cadence fires once whatever day it is): what a projection
 * multiplies by. Exact up to 1,000 fires (hourly is 720–744); above that, the first 1,000
 * fires' span scaled to the month, since walking every minute of a month takes seconds.
 */
export function firesPerMonth(expression: string, timezone: string, from: Date): number {
  const monthLater = new Date(from);
  monthLater.setUTCMonth(monthLater.getUTCMonth() + 1);
  const until = monthLater.getTime();
  const cron = cronOf(expression, timezone);
  let count = 0;
  for (let next = cron.nextRun(from); next && next.getTime() <= until; next = cron.nextRun(next)) {
    count += 1;
    if (count === MAX_FIRES_WALKED)
      return Math.round((count * (until - from.getTime())) / (next.getTime() - from.getTime()));
  }
  return count;
}
