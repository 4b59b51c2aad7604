import { Ban, CheckCircle2, CircleDashed, LoaderCircle, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { Tooltip } from "@/components/ui/tooltip";
import type { FailureCode, RunStatus } from "@/lib/enums";
import { FAILURE_LABELS, STATUS_LABELS } from "./labels";

const LOOK = {
  queued: { variant: "outline", Icon: CircleDashed },
  running: { variant: "default", Icon: LoaderCircle },
  complete: { variant: "success", Icon: CheckCircle2 },
  failed: { variant: "danger", Icon: XCircle },
  cancelled: { variant: "warning", Icon: Ban },
} as const;

/** Status as text and icon, never by colour alone; what it means on hover. */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { variant, Icon } = LOOK[status];
  return (
    <Tooltip content={STATUS_LABELS[status].description}>
      <Badge variant={variant} data-status={status}>
        <Icon aria-hidden className={status === "running" ? "size-3 animate-spin" : "size-3"} />
        {STATUS_LABELS[status].label}
      </Badge>
    </Tooltip>
  );
}

/** A failed run's code as its label (the code itself and what it means on hover), and the reason's first line. */
export function RunFailureLine({
  code,
  reason,
  className,
}: {
  code: FailureCode;
  reason: string | null;
  className?: string;
}) {
  return (
    <span className={cn("flex min-w-0 flex-col text-xs leading-tight", className)}>
      <Tooltip content={`${FAILURE_LABELS[code].description} (${code})`}>
        <span className="text-destructive font-medium" data-failure-code={code}>
          {FAILURE_LABELS[code].label}
        </span>
      </Tooltip>
      {reason && (
        <span className="text-muted-foreground line-clamp-2 break-words" title={reason}>
          {reason}
        </span>
      )}
    </span>
  );
}
