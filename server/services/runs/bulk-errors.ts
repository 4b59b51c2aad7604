import "server-only";
import { ServiceError } from "@/server/services/errors";

/** Errors the bulk-operation services raise; each transport answers them by kind (see ../errors.ts). */

export class BulkOperationNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "bulk_operation_not_found";
  constructor(operationId: string) {
    super(`Bulk operation ${operationId} was not found.`);
  }
}

export class BulkOperationEndedError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "bulk_operation_ended";
  constructor(status: string) {
    super(`The bulk operation has already ended (${status}); there is nothing to cancel.`);
  }
}

/** A bulk request the service refuses before writing anything; the message says why. */
export class BulkRequestInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "bulk_request_invalid";
}

export class BulkDispatchFailedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "dispatch_failed";
  constructor(errorId: string) {
    super(
      `The bulk operation is saved but the run engine could not be reached to start it (error id ${errorId}). Confirm again to retry; it is also retried automatically within a few minutes.`,
    );
  }
}

/** More runs match now than the operator confirmed: they confirm the new count, or not. */
export class BulkCountChangedError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "bulk_count_changed";
  constructor(
    readonly total: number,
    confirmed: number,
  ) {
    super(
      `The filter now matches ${total} runs, not the ${confirmed} you confirmed. Check the new count and confirm again.`,
    );
  }
}
