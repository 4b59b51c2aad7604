import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { alertDeliveries, alertNotices, notificationChannels } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import {
  claimForAttempt,
  recordAttempt,
  sendFailureReason,
} from "@/server/services/notify/attempt-record";
import { sendToChannel } from "@/server/services/notify/channels";
import type { DeliveryRef } from "./fire";

/** A failed attempt that the function's retries should try again (the delivery stays pending). */
export class DeliveryAttemptFailedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "alert_delivery_failed";
}

/**
 * One attempt at a pending delivery: claim it (one sender at a time, see `claimDelivery`), send
 * through its channel and record the outcome. A failed attempt records its error and throws
 * while attempts remain (`final` false), so the Inngest function retries it with backoff; the
 * last one marks the delivery failed. A delivery already sent or failed is left as it is (a
 * retried step is harmless); one whose channel was deleted is failed; one another attempt is
 * sending is looked at again after the backoff (`claimForAttempt`).
 */
export async function attemptDelivery(
  db: Database,
  ref: DeliveryRef,
  final: boolean,
): Promise<{ status: "sent" | "failed" | "skipped" }> {
  const claim = await claimForAttempt(db, alertDeliveries, ref, final);
  if (!claim) return { status: "skipped" };
  const [row] = await db
    .select({ delivery: alertDeliveries, channel: notificationChannels })
    .from(alertDeliveries)
    .leftJoin(
      notificationChannels,
      and(
        eq(notificationChannels.id, alertDeliveries.channelId),
        eq(notificationChannels.tenantId, alertDeliveries.tenantId),
      ),
    )
    .where(and(eq(alertDeliveries.id, ref.deliveryId), eq(alertDeliveries.tenantId, ref.tenantId)));
  if (!row) return { status: "skipped" };
  if (!row.channel) {
    await recordAttempt(db, claim, { gone: "The channel was deleted before the alert was sent." });
    return { status: "failed" };
  }
  const { delivery } = row;
  try {
    await sendToChannel(row.channel, {
      id: delivery.id,
      type: delivery.isTest ? "alert.test" : `alert.${delivery.trigger ?? "test"}`,
      subject: delivery.subject,
      text: delivery.body,
      facts: delivery.facts,
    });
  } catch (error) {
    const reason = sendFailureReason(error, "The channel could not be reached.");
    await recordAttempt(db, claim, { sent: false, reason, final });
    if (final) return { status: "failed" };
    throw new DeliveryAttemptFailedError(reason);
  }
  await recordAttempt(db, claim, { sent: true });
  return { status: "sent" };
}

/** The alert history, newest first: every delivery with its rule, channel, outcome and attempts. */
export async function listAlertHistory(
  db: Database,
  tenantId: string,
  input: { ruleId?: string; limit: number },
) {
  return db
    .select({
      id: alertDeliveries.id,
      ruleId: alertDeliveries.ruleId,
      ruleName: alertDeliveries.ruleName,
      channelId: alertDeliveries.channelId,
      channelName: alertDeliveries.channelName,
      channelKind: alertDeliveries.channelKind,
      trigger: alertDeliveries.trigger,
      isTest: alertDeliveries.isTest,
      subject: alertDeliveries.subject,
      status: alertDeliveries.status,
      attempts: alertDeliveries.attempts,
      error: alertDeliveries.error,
      createdAt: alertDeliveries.createdAt,
      lastAttemptAt: alertDeliveries.lastAttemptAt,
      sentAt: alertDeliveries.sentAt,
    })
    .from(alertDeliveries)
    .where(
      and(
        eq(alertDeliveries.tenantId, tenantId),
        input.ruleId ? eq(alertDeliveries.ruleId, input.ruleId) : undefined,
      ),
    )
    .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
    .limit(input.limit);
}

/** Notices older than two days can go: the scans look back at most a day. */
export async function pruneAlertNotices(db: Database): Promise<number> {
  const rows = await db
    .delete(alertNotices)
    .where(sql`${alertNotices.noticedAt} < now() - interval '2 days'`)
    .returning({ key: alertNotices.key });
  return rows.length;
}
