import { Ban, CheckCircle2, CircleDashed, Hand, LoaderCircle, XCircle } from "lucide-react";
import { useId } from "react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { Tooltip } from "@/components/ui/tooltip";
import type { FailureCode, RunStatus } from "@/lib/enums";
import { FAILURE_LABELS, STATUS_LABELS } from "./labels";

const LOOK = {
  queued: { variant: "outline", Icon: CircleDashed },
  running: { variant: "default", Icon: LoaderCircle },
  awaiting_approval: { variant: "warning", Icon: Hand },
  complete: { variant: "success", Icon: CheckCircle2 },
  failed: { variant: "danger", Icon: XCircle },
  cancelled: { variant: "warning", Icon: Ban },
} as const satisfies Record<RunStatus, unknown>;

/**
 * What a tooltip says, kept in the page for screen readers too: a hover-only tooltip on an element
 * that takes no focus never reaches keyboard, touch or screen-reader users. Outside the described
 * element, so its text (and what specs read of it) stays the visible label.
 */
export function SrDescription({ id, children }: { id: string; children: string }) {
  return (
    <span id={id} className="sr-only">
      {children}
    </span>
  );
}

/** Status as text and icon, never by colour alone; what it means on hover and to screen readers. */
export function RunStatusBadge({
  status,
  describe = true,
}: {
  status: RunStatus;
  /** False inside a heading or a live region, whose name or announcement must stay the label. */
  describe?: boolean;
}) {
  const { variant, Icon } = LOOK[status];
  const descriptionId = useId();
  return (
    <>
      <Tooltip content={STATUS_LABELS[status].description}>
        <Badge
          variant={variant}
          data-status={status}
          aria-describedby={describe ? descriptionId : undefined}
        >
          <Icon aria-hidden className={status === "running" ? "size-3 animate-spin" : "size-3"} />
          {STATUS_LABELS[status].label}
        </Badge>
      </Tooltip>
      {describe && (
        <SrDescription id={descriptionId}>{STATUS_LABELS[status].description}</SrDescription>
      )}
    </>
  );
}

/**
 * A failed run's code as its label (the code itself and what it means on hover and to screen
 * readers), and the reason's first line.
 */
export function RunFailureLine({
  code,
  reason,
  className,
}: {
  code: FailureCode;
  reason: string | null;
  className?: string;
}) {
  const descriptionId = useId();
  const description = `${FAILURE_LABELS[code].description} (${code})`;
  return (
    <span className={cn("flex min-w-0 flex-col text-xs leading-tight", className)}>
      <Tooltip content={description}>
        <span
          className="text-destructive font-medium"
          data-failure-code={code}
          aria-describedby={descriptionId}
        >
          {FAILURE_LABELS[code].label}
        </span>
      </Tooltip>
      <SrDescription id={descriptionId}>{description}</SrDescription>
      {reason && (
        <span className="text-muted-foreground line-clamp-2 break-words" title={reason}>
          {reason}
        </span>
      )}
    </span>
  );
}
