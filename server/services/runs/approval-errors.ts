import "server-only";
import type { RunStatus } from "@/lib/enums";
import { ServiceError } from "@/server/services/errors";

/** A decision on a run that no longer waits for one (ended, decided, timed out). */
export class ApprovalNotPendingError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "approval_not_pending";
  constructor(status: RunStatus, expired: boolean) {
    super(
      expired
        ? "The run's approval timed out before this decision; nothing was changed."
        : `The run is ${status.replace("_", " ")}, not awaiting approval; nothing was changed.`,
    );
  }
}

/** The run waits on another request than the one decided on (it went on and paused again). */
export class ApprovalChangedError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "approval_changed";
  constructor(seen: { approvalId: string } | { actionKey: string }) {
    super(
      "approvalId" in seen
        ? "The run now waits on a different request than the one decided on; review it again. Nothing was changed."
        : "The run now waits on a different action; review it again. Nothing was changed.",
    );
  }
}
