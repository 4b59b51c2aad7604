import type { RunStatus } from "@/lib/enums";

type DeliverableSide = {
  status: RunStatus;
  deliverable: string | null;
  deliverableExpiredAt: Date | null;
};

/**
 * Why the deliverables cannot be diffed, or null when both are there: a run without one (not
 * complete) or one whose deliverable retention cleared, said as such rather than diffed against
 * nothing.
 */
export function deliverableGapNote(a: DeliverableSide, b: DeliverableSide): string | null {
  const missing = (
    [
      ["A", a],
      ["B", b],
    ] as const
  ).filter(([, side]) => side.deliverable === null);
  if (missing.length === 0) return null;
  if (missing.length === 2 && !a.deliverableExpiredAt && !b.deliverableExpiredAt)
    return "Neither run has a deliverable.";
  return missing
    .map(([label, side]) =>
      side.deliverableExpiredAt
        ? `Run ${label}'s deliverable expired by retention.`
        : `Run ${label} has no deliverable (it is ${side.status}).`,
    )
    .join(" ");
}
