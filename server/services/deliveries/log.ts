import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { runDeliveries } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
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
 * Sends a failed delivery again: one conditional `failed → waiting` update that starts a fresh
 * round of attempts (`attempts` back to 0, so the function's retries and the lost-event sweep
 * count from the start), audit-logged in the same transaction; the next sweep (within a minute)
 * queues it. Idempotent: a delivery already waiting or being sent is left as it is and answered
 * as such, and logs nothing; a sent one is refused.
 */
export async function retryRunDelivery(
  db: Database,
  scope: { tenantId: string; audit: AuditContext },
  deliveryId: string,
): Promise<{ status: "waiting" | "pending" }> {
  const { tenantId } = scope;
  const requeued = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(runDeliveries)
      .set({
        status: "waiting",
        attempts: 0,
        queuedAt: null,
        requeuedAt: null,
        claimedAt: null,
      })
      .where(
        and(
          eq(runDeliveries.id, deliveryId),
          eq(runDeliveries.tenantId, tenantId),
          eq(runDeliveries.status, "failed"),
        ),
      )
      .returning({
        id: runDeliveries.id,
        runId: runDeliveries.runId,
        targetKind: runDeliveries.targetKind,
        target: runDeliveries.target,
      });
    if (row)
      await recordAudit(tx, {
        tenantId,
        actor: scope.audit.actor,
        origin: scope.audit.origin,
        action: "run_delivery.retry",
        // The run, so the log links to its page and its Deliveries card.
        target: { type: "run", id: row.runId },
        metadata: { deliveryId: row.id, targetKind: row.targetKind, target: row.target },
      });
    return row;
  });
  if (requeued) return { status: "waiting" };
  const [row] = await db
    .select({ status: runDeliveries.status })
    .from(runDeliveries)
    .where(and(eq(runDeliveries.id, deliveryId), eq(runDeliveries.tenantId, tenantId)));
  if (!row) throw new RunDeliveryNotFoundError(deliveryId);
  if (row.status === "sent") throw new RunDeliveryAlreadySentError();
  return { status: row.status === "pending" ? "pending" : "waiting" };
}
