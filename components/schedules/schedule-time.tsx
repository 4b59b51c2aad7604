"use client";

import { formatFromNow, formatInZone, formatUtc } from "@/components/format";

/**
 * A schedule's moment by the one rule for time: in the schedule's zone first, 24 h
 * ("Mon 08:30 CET"), UTC on hover, and how far off it is ("in 42 s", "3 min ago").
 */
export function ScheduleTime({
  at,
  timezone,
  now,
  layout = "inline",
}: {
  at: Date;
  timezone: string;
  now: number;
  /** "stacked" puts the distance on a line of its own, under the time. */
  layout?: "inline" | "stacked";
}) {
  const distance = formatFromNow(at, now);
  return (
    <time dateTime={at.toISOString()} title={formatUtc(at)} className="tabular-nums">
      {layout === "stacked" ? (
        <>
          <span className="block">{formatInZone(at, timezone, { now })}</span>
          <span className="text-muted-foreground block text-xs">{distance}</span>
        </>
      ) : (
        <>
          {formatInZone(at, timezone, { now })}{" "}
          <span className="text-muted-foreground">({distance})</span>
        </>
      )}
    </time>
  );
}
