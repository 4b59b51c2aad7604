import type { RunStatus, ScheduleSlotOutcome } from "@/lib/enums";

/**
 * What became of a schedule slot, as an operator judges it: by the final state of the run it
 * started, not by the slot having fired. The order is the summary's.
 */
export const SLOT_HEALTHS = [
  "ok",
  "failed",
  "cancelled",
  "running",
  "queued",
  "skipped",
  "over_budget",
  "missed",
  "not_started",
  "unknown",
] as const;
export type SlotHealth = (typeof SLOT_HEALTHS)[number];

/** A ledger row as far as its health goes: the slot's outcome and, when it has one, its run's status. */
export type SlotForHealth = { outcome: ScheduleSlotOutcome; run: { status: RunStatus } | null };

const HEALTH_OF_RUN: Record<RunStatus, SlotHealth> = {
  queued: "queued",
  running: "running",
  // The run is still going (paused for a person): for the overlap policy it is running.
  awaiting_approval: "running",
  complete: "ok",
  failed: "failed",
  cancelled: "cancelled",
};

export function slotHealth(slot: SlotForHealth): SlotHealth {
  switch (slot.outcome) {
    // A run's row is only ever removed with its tenant, but the column is nullable: an absent run is not a healthy one.
    case "fired":
      return slot.run ? HEALTH_OF_RUN[slot.run.status] : "unknown";
    // Its run is the previous slot's, still going when this slot came; that run's state is not this slot's.
    case "skipped":
      return "skipped";
    case "skipped_budget":
      return "over_budget";
    case "missed":
      return "missed";
    case "failed":
      return "not_started";
  }
}

/** The words for each health: a badge's label, a summary's word, and what it means in a mark's title. */
export const SLOT_HEALTH_TEXT: Record<
  SlotHealth,
  { label: string; summary: string; meaning: string }
> = {
  ok: { label: "OK", summary: "ok", meaning: "Run complete" },
  failed: { label: "Failed", summary: "failed", meaning: "Run failed" },
  cancelled: { label: "Cancelled", summary: "cancelled", meaning: "Run cancelled" },
  running: { label: "Running", summary: "running", meaning: "Run still running" },
  queued: { label: "Queued", summary: "queued", meaning: "Run queued" },
  skipped: {
    label: "Skipped",
    summary: "skipped",
    meaning: "Skipped: the previous run was still going",
  },
  over_budget: {
    label: "Over budget",
    summary: "over budget",
    meaning: "Skipped: the tenant's monthly budget was used up",
  },
  missed: { label: "Missed", summary: "missed", meaning: "Missed: Skillrun was not running" },
  not_started: {
    label: "Not started",
    summary: "not started",
    meaning: "Not started: the schedule could not start a run",
  },
  unknown: {
    label: "Unknown",
    summary: "unknown",
    meaning: "Fired; its run is no longer recorded",
  },
};

function countsOf(healths: readonly SlotHealth[]): string[] {
  return SLOT_HEALTHS.flatMap((health) => {
    const count = healths.filter((each) => each === health).length;
    return count ? [`${count} ${SLOT_HEALTH_TEXT[health].summary}`] : [];
  });
}

/** "6 ok · 1 failed · 1 skipped": only what occurred, in a stable order. */
export function summarizeSlotHealth(healths: readonly SlotHealth[]): string {
  return healths.length ? countsOf(healths).join(" · ") : "No slots yet.";
}

/** The strip's accessible name: "Last 8 slots: 6 ok, 1 failed, 1 skipped". */
export function slotStripLabel(healths: readonly SlotHealth[]): string {
  if (!healths.length) return "No slots yet";
  return `${healths.length === 1 ? "Last slot" : `Last ${healths.length} slots`}: ${countsOf(healths).join(", ")}`;
}

/** What each health does to a failing streak, newest slot first: a slot with no finished run of its own is looked past. */
const IN_A_STREAK: Record<SlotHealth, "counts" | "ends" | "looked_past"> = {
  failed: "counts",
  ok: "ends",
  cancelled: "ends",
  // Nothing is known about how its run ended.
  unknown: "ends",
  running: "looked_past",
  queued: "looked_past",
  skipped: "looked_past",
  over_budget: "looked_past",
  missed: "looked_past",
  not_started: "looked_past",
};

/** How many of the most recent finished runs failed in a row, given the slots newest first. */
export function failingStreak(slotsNewestFirst: readonly SlotForHealth[]): number {
  let streak = 0;
  for (const slot of slotsNewestFirst) {
    const role = IN_A_STREAK[slotHealth(slot)];
    if (role === "ends") break;
    if (role === "counts") streak++;
  }
  return streak;
}

/** A streak is worth a word from this many failures on; one failure is the last slot's own health. */
const MIN_STREAK_SHOWN = 2;

/** "last 3 failed", or null when there is no streak worth naming. */
export function failingStreakLabel(streak: number): string | null {
  return streak >= MIN_STREAK_SHOWN ? `last ${streak} failed` : null;
}

/** A slot whose run can still change its health. */
export const isPendingHealth = (health: SlotHealth) => health === "queued" || health === "running";
