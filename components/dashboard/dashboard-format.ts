import { formatDuration } from "@/components/format";
import type { RunStatus, ScheduleSlotOutcome } from "@/lib/enums";
import { SLOT_HEALTH_TEXT } from "@/lib/schedules";

/** Each status's colour in the charts: the theme's token, as its badge uses it. */
export const STATUS_COLOURS: Record<RunStatus, string> = {
  queued: "var(--color-muted-foreground)",
  running: "var(--color-primary)",
  awaiting_approval: "var(--color-warning)",
  complete: "var(--color-success)",
  failed: "var(--color-destructive)",
  cancelled: "var(--color-warning)",
};

const integer = new Intl.NumberFormat("en");
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });

export const formatCount = (value: number) => integer.format(value);
export const formatTokens = (value: number) => compact.format(value);
export const formatRate = (value: number | null) => (value === null ? "—" : percent.format(value));

/** Dollars with cents, or to four places below a cent (a run of a small model costs less). */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0.00";
  return `$${usd.toFixed(usd < 0.01 ? 4 : 2)}`;
}

/** Seconds as the console writes durations ("850 ms", "4.2 s", "2 min 5 s"); none: "—". */
export const formatSeconds = (seconds: number | null) =>
  seconds === null ? "—" : formatDuration(seconds * 1000);

const hour = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "UTC" }); // prettier-ignore
const day = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });

/** A bucket's start as its label: "14:00" for an hour, "Mar 9" for a day (UTC, as bucketed). */
export const bucketLabel = (at: Date, bucket: "hour" | "day") =>
  bucket === "hour" ? hour.format(at) : day.format(at);

/** The ledger's words (a slot that could not start a run is "Not started", not a failed run). */
export const SLOT_OUTCOMES: Record<ScheduleSlotOutcome, { label: string; colour: string }> = {
  fired: { label: "Fired", colour: "var(--color-success)" },
  skipped: { label: SLOT_HEALTH_TEXT.skipped.label, colour: "var(--color-warning)" },
  skipped_budget: { label: SLOT_HEALTH_TEXT.over_budget.label, colour: "var(--color-warning)" },
  missed: { label: SLOT_HEALTH_TEXT.missed.label, colour: "var(--color-muted-foreground)" },
  failed: { label: SLOT_HEALTH_TEXT.not_started.label, colour: "var(--color-destructive)" },
};
