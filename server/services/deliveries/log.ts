import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { runDeliveries } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";

export class RunDeliveryNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "run_delivery_not_found";
  constructor(deliveryId: string) {
    super(`Delivery ${deliveryId} was not found.`);
  }
}

export class RunDeliveryAlreadySentError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "run_delivery_sent";
  constructor() {
    super("This delivery was already sent; there is nothing to retry.");
  }
}

/** A run's deliveries, oldest first: where each goes (never a secret URL), its status and attempts. */
export function listRunDeliveries(db: Database, tenantId: string, runId: string) {
  return db
    .select({
      id: runDeliveries.id,
      targetKind: runDeliveries.targetKind,
      target: runDeliveries.target,
      status: runDeliveries.status,
      attempts: runDeliveries.attempts,
      error: runDeliveries.error,
      createdAt: runDeliveries.createdAt,
      queuedAt: runDeliveries.queuedAt,
      lastAttemptAt: runDeliveries.lastAttemptAt,
      sentAt: runDeliveries.sentAt,
    })
    .from(runDeliveries)
    .where(and(eq(runDeliveries.tenantId, tenantId), eq(runDeliveries.runId, runId)))
    .orderBy(asc(runDeliveries.createdAt), asc(runDeliveries.id));
}

/**
 * Sends a failed delivery again: one conditional `failed → waiting` update, so the next sweep
 * (within a minute) queues it with a fresh round of attempts. Idempotent: a delivery already
 * waiting or being sent is left as it is and answered as such; a sent one is refused.
 */
export async function retryRunDelivery(
  db: Database,
  tenantId: string,
  deliveryId: string,
): Promise<{ status: "waiting" | "pending" }> {
  const [requeued] = await db
    .update(runDeliveries)
    .set({ status: "waiting", queuedAt: null })
    .where(
      and(
        eq(runDeliveries.id, deliveryId),
        eq(runDeliveries.tenantId, tenantId),
        eq(runDeliveries.status, "failed"),
      ),
    )
    .returning({ id: runDeliveries.id });
  if (requeued) return { status: "waiting" };
  const [row] = await db
    .select({ status: runDeliveries.status })
    .from(runDeliveries)
    .where(and(eq(runDeliveries.id, deliveryId), eq(runDeliveries.tenantId, tenantId)));
  if (!row) throw new RunDeliveryNotFoundError(deliveryId);
  if (row.status === "sent") throw new RunDeliveryAlreadySentError();
  return { status: row.status === "pending" ? "pending" : "waiting" };
}
