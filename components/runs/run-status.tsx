import { Ban, CheckCircle2, CircleDashed, LoaderCircle, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import type { RunStatus } from "@/lib/enums";

const LOOK = {
  queued: { label: "Queued", variant: "outline", Icon: CircleDashed },
  running: { label: "Running", variant: "default", Icon: LoaderCircle },
  complete: { label: "Complete", variant: "success", Icon: CheckCircle2 },
  failed: { label: "Failed", variant: "danger", Icon: XCircle },
  cancelled: { label: "Cancelled", variant: "warning", Icon: Ban },
} as const;

/** Status as text and icon, never by colour alone. */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { label, variant, Icon } = LOOK[status];
  return (
    <Badge variant={variant} data-status={status}>
      <Icon aria-hidden className={status === "running" ? "size-3 animate-spin" : "size-3"} />
      {label}
    </Badge>
  );
}
