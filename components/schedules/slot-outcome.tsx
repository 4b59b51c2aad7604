import type { ComponentProps } from "react";
import { Badge } from "@/components/ui/badge";
import { formatInZone, formatUtc } from "@/components/format";
import type { ScheduleSlotOutcome } from "@/lib/enums";
import {
  SLOT_HEALTH_TEXT,
  slotStripLabel,
  summarizeSlotHealth,
  type SlotHealth,
} from "@/lib/schedules";

// Firing says nothing of health (the run's status beside it does), so it is not green; a slot
// that could not start a run reads as the strip calls it, "Not started", never as a failed run.
const LOOK: Record<
  ScheduleSlotOutcome,
  { label: string; variant: NonNullable<ComponentProps<typeof Badge>["variant"]> }
> = {
  fired: { label: "Fired", variant: "outline" },
  skipped: { label: SLOT_HEALTH_TEXT.skipped.label, variant: "warning" },
  missed: { label: SLOT_HEALTH_TEXT.missed.label, variant: "outline" },
  failed: { label: SLOT_HEALTH_TEXT.not_started.label, variant: "danger" },
  skipped_budget: { label: SLOT_HEALTH_TEXT.over_budget.label, variant: "warning" },
};

/** What the slot itself did (fired, skipped…), not how its run went: the ledger table shows both side by side. */
export function SlotOutcomeBadge({ outcome }: { outcome: ScheduleSlotOutcome }) {
  const { label, variant } = LOOK[outcome];
  return (
    <Badge variant={variant} data-outcome={outcome}>
      {label}
    </Badge>
  );
}

const HEALTH_BADGE: Record<SlotHealth, NonNullable<ComponentProps<typeof Badge>["variant"]>> = {
  ok: "success",
  failed: "danger",
  cancelled: "warning",
  running: "default",
  queued: "outline",
  skipped: "warning",
  over_budget: "warning",
  missed: "outline",
  not_started: "danger",
  unknown: "outline",
};

/** How a slot went, by its run's final state. */
export function SlotHealthBadge({ health }: { health: SlotHealth }) {
  return (
    <Badge variant={HEALTH_BADGE[health]} data-health={health}>
      {SLOT_HEALTH_TEXT[health].label}
    </Badge>
  );
}

// Height as well as colour, so the strip reads without telling red from green: a finished run
// stands tall when it went well and dips when it did not; slots without a run of their own are short.
const STRIP: Record<SlotHealth, string> = {
  ok: "h-6 bg-emerald-500 dark:bg-emerald-400",
  failed: "h-4 bg-red-500 dark:bg-red-400",
  cancelled: "h-4 bg-orange-400 dark:bg-orange-300",
  running: "h-5 bg-sky-400 dark:bg-sky-300",
  queued: "h-5 bg-sky-200 dark:bg-sky-700",
  skipped: "h-3 bg-amber-400 dark:bg-amber-300",
  over_budget: "h-3 bg-yellow-600 dark:bg-yellow-500",
  missed: "h-3 bg-slate-300 dark:bg-slate-500",
  not_started: "h-3 bg-red-700 dark:bg-red-600",
  unknown: "h-3 bg-slate-200 dark:bg-slate-600",
};

/** The ledger at a glance, oldest to newest: one mark per slot, its health in its title, colour and height. */
export function SlotStrip({
  slots,
  timezone,
}: {
  slots: { id: string; health: SlotHealth; slotAt: Date }[];
  /** The schedule's timezone: each mark's title gives its slot there, then in UTC. */
  timezone: string;
}) {
  const ordered = [...slots].reverse();
  const healths = ordered.map((slot) => slot.health);
  return (
    <div>
      <div className="flex h-6 items-end gap-0.5" role="img" aria-label={slotStripLabel(healths)}>
        {ordered.map((slot) => (
          <span
            key={slot.id}
            data-health={slot.health}
            title={`${formatInZone(slot.slotAt, timezone, { withDate: true })} (${formatUtc(slot.slotAt)}) · ${SLOT_HEALTH_TEXT[slot.health].meaning}`}
            className={`w-2 rounded-sm ${STRIP[slot.health]}`}
          />
        ))}
      </div>
      <p className="text-muted-foreground mt-1 text-xs" data-testid="slot-summary">
        {summarizeSlotHealth(healths)}
      </p>
    </div>
  );
}
