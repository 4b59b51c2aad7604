import { Cron } from "croner";
import cronstrue from "cronstrue";

export type CadenceCheck = { ok: true } | { ok: false; error: string };

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

export function checkCadence(expression: string, timezone: string): CadenceCheck {
  if (!isValidTimeZone(timezone))
    return { ok: false, error: `"${timezone}" is not an IANA timezone.` };
  try {
    const cron = cronOf(expression, timezone);
    if (!cron.nextRun(new Date())) return { ok: false, error: "This cron expression never fires." };
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, ""),
    };
  }
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
