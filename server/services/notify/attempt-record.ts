import "server-only";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { SecretDecryptionError } from "@/server/crypto/secrets";
import type { Database } from "@/server/db/client";
import type { alertDeliveries, runDeliveries } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { ChannelSendError, SEND_TIMEOUT_MS } from "./notice";

/**
 * The outboxes whose rows are sent by an Inngest function with retries: a run's result
 * (`run_deliveries`) and an alert (`alert_deliveries`). Both keep `status`, `attempts`,
 * `claimed_at`, `last_attempt_at`, `sent_at` and `error` alike, recorded here.
 */
export type DeliveryOutbox = typeof runDeliveries | typeof alertDeliveries;

/**
 * How old a claim must be before another attempt may take it over: longer than any one send
 * can take (SMTP's connect, greeting and socket timeouts in a row, with room to spare), so a
 * claim this old belongs to an attempt that crashed, not to one still sending.
 */
export const STALE_CLAIM_MS = 6 * SEND_TIMEOUT_MS;

/** The claim an attempt holds: the row and the `claimed_at` it wrote, which its outcome must match. */
export type DeliveryClaim = { outbox: DeliveryOutbox; deliveryId: string; claimedAt: Date };

/** Another attempt is sending this delivery right now; this one retries later and finds the outcome. */
export class DeliveryClaimedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "delivery_claimed";
  constructor() {
    super("Another attempt is sending this delivery.");
  }
}

/** Why a send failed, in words the console may show: ours, never a remote body or a secret. */
export function sendFailureReason(error: unknown, unreachable: string): string {
  if (error instanceof ChannelSendError || error instanceof SecretDecryptionError)
    return error.message;
  return unreachable;
}

const open = (outbox: DeliveryOutbox, deliveryId: string) =>
  and(eq(outbox.id, deliveryId), eq(outbox.status, "pending"));

/**
 * Claims a pending delivery for one send: a conditional update only one attempt can win, so two
 * invocations (a repeated event, a re-queue, a retried step) never send it twice. A claim older
 * than STALE_CLAIM_MS is taken over. Null when the delivery is not pending, or is claimed by an
 * attempt still within its time.
 */
export async function claimDelivery(
  db: Database,
  outbox: DeliveryOutbox,
  ref: { deliveryId: string; tenantId: string },
): Promise<DeliveryClaim | null> {
  const [claimed] = await db
    .update(outbox)
    // Milliseconds, as a JS Date holds it, so the outcome's match on it is exact.
    .set({ claimedAt: sql`date_trunc('milliseconds', clock_timestamp())` })
    .where(
      and(
        open(outbox, ref.deliveryId),
        eq(outbox.tenantId, ref.tenantId),
        or(
          isNull(outbox.claimedAt),
          lt(outbox.claimedAt, sql`now() - make_interval(secs => ${STALE_CLAIM_MS / 1000})`),
        ),
      ),
    )
    .returning({ claimedAt: outbox.claimedAt });
  return claimed?.claimedAt
    ? { outbox, deliveryId: ref.deliveryId, claimedAt: claimed.claimedAt }
    : null;
}

/**
 * An attempt's claim, or null when there is nothing to send (not pending, or gone). A delivery
 * another attempt holds throws DeliveryClaimedError while attempts remain, so the function looks
 * again after its backoff: by then the holder has recorded, or its claim is stale (a crash) and
 * this attempt takes it over. The last attempt leaves it to the holder.
 */
export async function claimForAttempt(
  db: Database,
  outbox: DeliveryOutbox,
  ref: { deliveryId: string; tenantId: string },
  final: boolean,
): Promise<DeliveryClaim | null> {
  const claim = await claimDelivery(db, outbox, ref);
  if (claim || final) return claim;
  const [held] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(open(outbox, ref.deliveryId), eq(outbox.tenantId, ref.tenantId)));
  if (held) throw new DeliveryClaimedError();
  return null;
}

/** The outcome of one claimed attempt; `final` failures mark the delivery failed. */
export type AttemptOutcome =
  | { sent: true }
  | { sent: false; reason: string; final: boolean }
  /** Nothing was sent and nothing will be: the run or the channel is gone. Counts no attempt. */
  | { gone: string };

/**
 * Records a claimed attempt's outcome and releases the claim, only while the claim is still the
 * one this attempt wrote (a claim taken over as stale records nothing here: its new holder
 * records). Returns the delivery's status after it, or null when the claim was lost.
 */
export async function recordAttempt(
  db: Database,
  claim: DeliveryClaim,
  outcome: AttemptOutcome,
): Promise<"sent" | "failed" | "pending" | null> {
  const { outbox } = claim;
  const status =
    "gone" in outcome
      ? ("failed" as const)
      : outcome.sent
        ? ("sent" as const)
        : outcome.final
          ? ("failed" as const)
          : ("pending" as const);
  const counted =
    "gone" in outcome ? {} : { attempts: sql`${outbox.attempts} + 1`, lastAttemptAt: sql`now()` };
  const [recorded] = await db
    .update(outbox)
    .set({
      ...counted,
      claimedAt: null,
      status,
      error: "gone" in outcome ? outcome.gone : outcome.sent ? null : outcome.reason,
      ...("sent" in outcome && outcome.sent ? { sentAt: sql`now()` } : {}),
    })
    .where(and(open(outbox, claim.deliveryId), eq(outbox.claimedAt, claim.claimedAt)))
    .returning({ id: outbox.id });
  return recorded ? status : null;
}

/**
 * A delivery whose function gave up (its retries ran out, or it crashed) is failed with the
 * reason, so it shows as failed with Retry instead of pending forever. A delivery already sent
 * or failed is left as it is.
 */
export async function failAbandonedDelivery(
  db: Database,
  outbox: DeliveryOutbox,
  ref: { deliveryId: string; tenantId: string },
  reason: string,
): Promise<boolean> {
  const failed = await db
    .update(outbox)
    .set({ status: "failed", claimedAt: null, error: reason })
    .where(and(open(outbox, ref.deliveryId), eq(outbox.tenantId, ref.tenantId)))
    .returning({ id: outbox.id });
  return failed.length > 0;
}
