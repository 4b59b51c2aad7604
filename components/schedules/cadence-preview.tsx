"use client";

import { describeCadence, checkCadence, nextFireTimes, offsetChangesAcross } from "@/lib/schedules";

const formatIn = (timezone: string, date: Date) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    weekday: "short",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(date);

/** What a cadence means: in words, the next five fire times in the schedule's timezone and in UTC, and any DST change among them. */
export function CadencePreview({
  cron,
  timezone,
  now = new Date(),
}: {
  cron: string;
  timezone: string;
  now?: Date;
}) {
  const check = checkCadence(cron, timezone);
  if (!check.ok) return null;
  const description = describeCadence(cron);
  const times = nextFireTimes(cron, timezone, now, 5);
  const changes = offsetChangesAcross(timezone, now, times);
  return (
    <div
      className="border-border bg-muted/40 rounded-md border p-3 text-sm"
      data-testid="cadence-preview"
    >
      {description && (
        <p className="font-medium">
          {description} ({timezone})
        </p>
      )}
      <table className="mt-2 w-full text-xs" aria-label="Next fire times">
        <thead>
          <tr className="text-muted-foreground text-left">
            <th className="py-1 font-medium">In {timezone}</th>
            <th className="py-1 font-medium">In UTC</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {times.map((time) => (
            <tr key={time.toISOString()}>
              <td className="py-0.5">{formatIn(timezone, time)}</td>
              <td className="text-muted-foreground py-0.5">{formatIn("UTC", time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {changes.map((change) => (
        <p key={change.at.toISOString()} className="text-warning mt-2 text-xs" role="note">
          Daylight saving time changes before {formatIn(timezone, change.at)}: {timezone} moves from{" "}
          {change.from} to {change.to}, so UTC times shift.
        </p>
      ))}
    </div>
  );
}
