import { Badge } from "@/components/ui/badge";
import type { ScheduleSlotOutcome } from "@/lib/enums";

const LOOK = {
  fired: { label: "Fired", variant: "success" },
  skipped: { label: "Skipped", variant: "warning" },
  missed: { label: "Missed", variant: "outline" },
  failed: { label: "Failed", variant: "danger" },
} as const;

export function SlotOutcomeBadge({ outcome }: { outcome: ScheduleSlotOutcome }) {
  const { label, variant } = LOOK[outcome];
  return (
    <Badge variant={variant} data-outcome={outcome}>
      {label}
    </Badge>
  );
}

const STRIP = { fired: "bg-emerald-500", skipped: "bg-amber-400", missed: "bg-slate-300", failed: "bg-red-500" } as const;

/** The ledger at a glance, oldest to newest: one mark per slot, its outcome in its title and its shape. */
export function SlotStrip({ slots }: { slots: { id: string; outcome: ScheduleSlotOutcome; slotAt: Date }[] }) {
  const ordered = [...slots].reverse();
  const counts = ordered.reduce<Record<string, number>>((acc, slot) => ({ ...acc, [slot.outcome]: (acc[slot.outcome] ?? 0) + 1 }), {});
  return (
    <div>
      <div className="flex h-6 items-end gap-0.5" role="img" aria-label={`Last ${ordered.length} slots: ${Object.entries(counts).map(([outcome, count]) => `${count} ${outcome}`).join(", ")}`}>
        {ordered.map((slot) => (
          <span
            key={slot.id}
            title={`${slot.outcome} · ${slot.slotAt.toISOString()}`}
            className={`w-2 rounded-sm ${STRIP[slot.outcome]} ${slot.outcome === "fired" ? "h-6" : slot.outcome === "failed" ? "h-5" : "h-3"}`}
          />
        ))}
      </div>
      <p className="mt-1 text-xs text-muted-foreground">
        {ordered.length === 0 ? "No slots yet." : Object.entries(counts).map(([outcome, count]) => `${count} ${outcome}`).join(" · ")}
      </p>
    </div>
  );
}
