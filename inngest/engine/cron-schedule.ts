import { Cron } from "croner";
import { parseDurationMs } from "./durations";

export function parseCron(expression: string): { pattern: string; timezone: string } {
  const match = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(expression.trim());
  return match
    ? { pattern: match[2] ?? "", timezone: match[1] ?? "UTC" }
    : { pattern: expression.trim(), timezone: "UTC" };
}

/** The next tick strictly after `after`, for 5-field expressions, descriptors and `@every`. */
export function nextCronTick(expression: string, after: Date): Date | null {
  const { pattern, timezone } = parseCron(expression);
  const every = /^@every\s+(\S+)$/.exec(pattern);
  if (every) {
    const intervalMs = parseDurationMs(every[1] ?? "");
    if (!intervalMs) return null;
    return new Date((Math.floor(after.getTime() / intervalMs) + 1) * intervalMs);
  }
  return new Cron(pattern, {
    timezone,
    paused: true,
    mode: pattern.startsWith("@") ? "auto" : "5-part",
  }).nextRun(after);
}
