"use client";

import { formatFromNow, formatInZone, formatUtc, isUtc } from "@/components/format";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { describeCadence, checkCadence, nextFireTimes, offsetChangesAcross } from "@/lib/schedules";

/**
 * What a cadence means: in words, the next five fire times in the schedule's timezone (24 h)
 * and in UTC — one column when the schedule is in UTC — and any DST change among them.
 */
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
  const inZone = (time: Date, zone = timezone) =>
    formatInZone(time, zone, { now: now.getTime(), withDate: true });
  const utcToo = !isUtc(timezone);
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
      <ScrollRegion label="Next fire times">
        <table className="mt-2 w-full text-xs" aria-label="Next fire times">
          <thead>
            <tr className="text-muted-foreground text-left">
              <th className="py-1 font-medium">In {timezone}</th>
              {utcToo && <th className="py-1 font-medium">In UTC</th>}
              <th className="py-1 text-right font-medium">
                <span className="sr-only">From now</span>
              </th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {times.map((time) => (
              <tr key={time.toISOString()}>
                <td className="py-0.5">
                  <time dateTime={time.toISOString()} title={formatUtc(time)}>
                    {inZone(time)}
                  </time>
                </td>
                {utcToo && <td className="text-muted-foreground py-0.5">{inZone(time, "UTC")}</td>}
                <td className="text-muted-foreground py-0.5 text-right">
                  {formatFromNow(time, now.getTime())}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {changes.map((change) => (
        <p key={change.at.toISOString()} className="text-warning mt-2 text-xs" role="note">
          Daylight saving time changes before {inZone(change.at)}: {timezone} moves from{" "}
          {change.from} to {change.to}, so UTC times shift.
        </p>
      ))}
    </div>
  );
}
