import "server-only";
import { and, eq, lte } from "drizzle-orm";
import { BULK_OPERATION_REQUESTED } from "@/inngest/events";
import { bulkOperations } from "@/server/db/schema";
import { logUnexpectedError } from "@/server/error-log";
import { BulkDispatchFailedError } from "./bulk-errors";
import { sendRetryingOutage, type RunServiceDeps } from "./runs";

/**
 * Sends the event the bulk-operation function runs on, tried again while the engine is down.
 * Safe to repeat: the event id is the operation's, and the engine keeps one event per id. When
 * it cannot be sent the operation stays queued, and the same confirmation or the reconciler
 * sends it again.
 */
export async function requestOperation(
  deps: RunServiceDeps,
  operationId: string,
  tenantId: string,
) {
  try {
    await sendRetryingOutage(deps.dispatcher, {
      name: BULK_OPERATION_REQUESTED,
      id: operationId,
      data: { operationId, tenantId },
    });
  } catch (error) {
    const errorId = logUnexpectedError(error, `bulk operation ${operationId}: sending its event`);
    throw new BulkDispatchFailedError(errorId);
  }
}

/** Operations still queued this long after they were written had their event lost. */
export const BULK_REQUEST_LOST_AFTER_MS = 60_000;

/**
 * The reconciler's share: sends again the event of every operation still queued a minute after
 * it was written (a crash or an outage between its commit and its send). Returns how many.
 */
export async function resendLostBulkOperations(deps: RunServiceDeps, now = new Date()) {
  const lost = await deps.db
    .select({ id: bulkOperations.id, tenantId: bulkOperations.tenantId })
    .from(bulkOperations)
    .where(
      and(
        eq(bulkOperations.status, "queued"),
        lte(bulkOperations.createdAt, new Date(now.getTime() - BULK_REQUEST_LOST_AFTER_MS)),
      ),
    )
    .limit(100);
  if (!lost.length) return 0;
  await sendRetryingOutage(
    deps.dispatcher,
    lost.map((operation) => ({
      name: BULK_OPERATION_REQUESTED,
      id: operation.id,
      data: { operationId: operation.id, tenantId: operation.tenantId },
    })),
  );
  return lost.length;
}
