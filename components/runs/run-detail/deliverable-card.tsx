import { Archive, FileClock, FileX } from "lucide-react";
import { formatAbsolute } from "@/components/format";
import type { RunStatus } from "@/lib/enums";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Deliverable } from "../deliverable";
import type { RunData } from "./run-data";

export function DeliverableCard({
  data,
  deliverable,
}: {
  data: RunData;
  deliverable: NonNullable<RunData["deliverable"]>;
}) {
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Deliverable</CardTitle>
      </CardHeader>
      <CardContent>
        <Deliverable
          markdown={deliverable.payload}
          masked={deliverable.masked}
          fileName={`${data.skill.slug}-${data.id.slice(0, 8)}.md`}
        />
      </CardContent>
    </Card>
  );
}

const NO_DELIVERABLE: Record<Exclude<RunStatus, "complete">, string> = {
  queued: "The deliverable appears here when the run completes.",
  running: "The deliverable appears here when the run completes.",
  awaiting_approval: "The run is waiting for an operator's approval; the deliverable follows.",
  failed: "No deliverable — the run failed.",
  cancelled: "No deliverable — the run was cancelled before producing one.",
};

/** A run without a deliverable (yet): one line, not an empty card above what explains it. */
export function NoDeliverable({ status }: { status: Exclude<RunStatus, "complete"> }) {
  const Icon = status === "queued" || status === "running" ? FileClock : FileX;
  return (
    <p
      className="border-border text-muted-foreground mb-6 flex items-center gap-2 rounded-lg border border-dashed px-4 py-2 text-sm"
      data-testid="no-deliverable"
    >
      <Icon aria-hidden className="size-4 shrink-0" />
      {NO_DELIVERABLE[status]}
    </p>
  );
}

/** A complete run whose deliverable the tenant's retention policy cleared; the run itself stays. */
export function DeliverableExpired({ at }: { at: Date }) {
  return (
    <p
      className="border-border text-muted-foreground mb-6 flex items-center gap-2 rounded-lg border border-dashed px-4 py-2 text-sm"
      data-testid="deliverable-expired"
    >
      <Archive aria-hidden className="size-4 shrink-0" />
      Deliverable expired by retention on {formatAbsolute(at)}: the tenant keeps deliverables for a
      shorter time than runs.
    </p>
  );
}
