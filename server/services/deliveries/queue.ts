import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { RUN_DELIVERY_REQUESTED, type RunEvent, type RunRef } from "@/inngest/events";
import { TERMINAL_RUN_STATUSES } from "@/lib/enums";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "@/server/crypto/secrets";
import type { Database, Transaction } from "@/server/db/client";
import { runDeliveries, skillRuns } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { STALE_CLAIM_MS } from "@/server/services/notify/attempt-record";
import { refusedChannelUrl } from "@/server/services/notify/outbound";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { generateSigningSecret } from "@/server/services/webhooks/webhook-signature";

/** A delivery as events and steps name it; `queuedAt` (ms) makes each queuing's event id. */
export type QueuedDelivery = { deliveryId: string; tenantId: string; queuedAt: number };

/** What a callback row keeps encrypted: where to POST and the key that signs it. */
export type CallbackSecret = { url: string; signingSecret: string };

export class CallbackUrlRefusedError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "callback_url_refused";
  readonly fieldErrors: Record<string, string[]>;
  constructor(reason: string) {
    super(`The callbackUrl cannot be used: ${reason}`);
    this.fieldErrors = { callbackUrl: [reason] };
  }
}

/** Refuses a callback URL the outbound check (the one MCP servers and channels pass) refuses. */
export async function checkCallbackUrl(url: string): Promise<void> {
  const refusal = await refusedChannelUrl(url);
  if (refusal) throw new CallbackUrlRefusedError(refusal);
}

/** What the console shows of a URL: its host, never a path or query that may hold a token. */
export const shownHost = (url: string) => (URL.canParse(url) ? new URL(url).host : "(invalid URL)");

/**
 * Records a run's callback in the caller's transaction (the one that created the run), waiting
 * for the run to end. Returns the signing secret, which the caller answers this once.
 */
export async function addRunCallback(
  tx: Database | Transaction,
  input: { tenantId: string; runId: string; url: string },
): Promise<string> {
  const signingSecret = generateSigningSecret();
  const secret: CallbackSecret = { url: input.url, signingSecret };
  await tx.insert(runDeliveries).values({
    tenantId: input.tenantId,
    runId: input.runId,
    targetKind: "callback",
    target: shownHost(input.url),
    secret: encryptSecret(JSON.stringify(secret)),
    status: "waiting",
  });
  return signingSecret;
}

/** The signing secret of a run's callback (a repeated start answers it again), or null. */
export async function runCallbackSigningSecret(
  db: Database,
  tenantId: string,
  runId: string,
): Promise<string | null> {
  const [row] = await db
    .select({ secret: runDeliveries.secret })
    .from(runDeliveries)
    .where(
      and(
        eq(runDeliveries.tenantId, tenantId),
        eq(runDeliveries.runId, runId),
        eq(runDeliveries.targetKind, "callback"),
      ),
    )
    .limit(1);
  if (!row?.secret) return null;
  try {
    return openCallbackSecret(row.secret).signingSecret;
  } catch (error) {
    // A sent callback's secret under a key since dropped (secrets-at-rest leaves those alone).
    if (error instanceof SecretDecryptionError) return null;
    throw error;
  }
}

export function openCallbackSecret(stored: string): CallbackSecret {
  const parsed: unknown = JSON.parse(decryptSecret(stored));
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    "url" in parsed &&
    "signingSecret" in parsed &&
    typeof parsed.url === "string" &&
    typeof parsed.signingSecret === "string"
  )
    return { url: parsed.url, signingSecret: parsed.signingSecret };
  throw new Error("A callback's stored secret does not hold a URL and a signing secret.");
}

/** A queued delivery whose event was never taken up is queued again after this long. */
export const LOST_QUEUING_MS = 10 * 60_000;

/**
 * What the sweep queues: a waiting delivery; a pending one whose event was lost (never taken up:
 * no attempt, no claim) LOST_QUEUING_MS after it was queued or last re-queued; and a pending one
 * whose claim is stale (its sender died, after the function's retries had all found it claimed
 * and given up) and whose queuing is as old. The inner select and the outer update both test it,
 * so a row another sweep took meanwhile, or a live attempt claimed, is skipped.
 */
const dueForQueuing = sql`(${runDeliveries.status} = 'waiting' or (${runDeliveries.status} = 'pending' and ${runDeliveries.attempts} = 0 and ${runDeliveries.claimedAt} is null and coalesce(${runDeliveries.requeuedAt}, ${runDeliveries.queuedAt}) < now() - make_interval(secs => ${LOST_QUEUING_MS / 1000})) or (${runDeliveries.status} = 'pending' and ${runDeliveries.claimedAt} < now() - make_interval(secs => ${STALE_CLAIM_MS / 1000}) and ${runDeliveries.queuedAt} < now() - make_interval(secs => ${STALE_CLAIM_MS / 1000})))`;

/** A queuing with a new event name: a waiting row's first, or a stale claim's (its function is done). */
const newQueuing = sql`(${runDeliveries.status} = 'waiting' or ${runDeliveries.claimedAt} is not null)`;

/**
 * Moves the deliveries `scope` names that are due (see `dueForQueuing`) and whose run has ended
 * to `pending`, at most `limit`, in one conditional update, so two callers (the sweep and a run's
 * end) queue each once. A waiting row, or one whose claim went stale, gets a new `queuedAt` (a
 * new event name: the engine would drop the finished queuing's); a lost event's keeps it.
 */
async function queueDeliveries(
  db: Database | Transaction,
  scope: SQL | undefined,
  limit: number,
): Promise<QueuedDelivery[]> {
  const due = db
    .select({ id: runDeliveries.id })
    .from(runDeliveries)
    .innerJoin(skillRuns, eq(skillRuns.id, runDeliveries.runId))
    .where(and(scope, dueForQueuing, inArray(skillRuns.status, [...TERMINAL_RUN_STATUSES])))
    .limit(limit);
  const rows = await db
    .update(runDeliveries)
    .set({
      status: "pending",
      queuedAt: sql`case when ${newQueuing} then date_trunc('milliseconds', clock_timestamp()) else ${runDeliveries.queuedAt} end`,
      requeuedAt: sql`case when ${newQueuing} then null else clock_timestamp() end`,
      // A stale claim's holder is gone; the new queuing's attempt claims afresh.
      claimedAt: null,
    })
    .where(and(inArray(runDeliveries.id, due), dueForQueuing))
    .returning({
      deliveryId: runDeliveries.id,
      tenantId: runDeliveries.tenantId,
      queuedAt: runDeliveries.queuedAt,
    });
  return rows.map((row) => ({
    deliveryId: row.deliveryId,
    tenantId: row.tenantId,
    queuedAt: row.queuedAt?.getTime() ?? 0,
  }));
}

/**
 * The outbox's sweep, the fallback for a run whose end queued nothing (`queueEndedRunDeliveries`
 * did not run, or its events were lost): every delivery whose run has ended moves from `waiting`
 * to `pending`, and a `pending` one whose event was lost, or whose sender died holding its claim,
 * is queued again. Returns what to send;
 * the caller sends one event per row after this commits, named `<id>:<queuedAt>`. A re-queue
 * keeps `queuedAt`, so its event has the first one's id: the engine drops it if the first did
 * arrive (its run is only waiting its turn), and takes it if it was lost. A console Retry
 * (`waiting` again) is a new queuing with a new id.
 */
export function queueDueDeliveries(
  db: Database | Transaction,
  limit: number,
): Promise<QueuedDelivery[]> {
  return queueDeliveries(db, undefined, limit);
}

/** More deliveries than a run can have (a callback and at most MAX_DELIVERY_CHANNELS channels). */
export const RUN_DELIVERY_LIMIT = 100;

/**
 * The prompt path, right after a run's terminal write committed: the run's waiting deliveries
 * move to `pending` exactly as the sweep would move them (the same update, the same event names),
 * so whichever of the two comes second finds nothing to queue, and an event sent twice has one
 * id. Nothing when the run has not ended (a run paused for approval, or dispatched again).
 */
export function queueEndedRunDeliveries(
  db: Database | Transaction,
  ref: RunRef,
): Promise<QueuedDelivery[]> {
  return queueDeliveries(
    db,
    and(eq(runDeliveries.runId, ref.runId), eq(runDeliveries.tenantId, ref.tenantId)),
    RUN_DELIVERY_LIMIT,
  );
}

/**
 * One `run/delivery.requested` event per queued delivery, named `<delivery id>:<queued at ms>`:
 * the same name whoever queued it (a run's end or the sweep), so the engine keeps one of two sends.
 */
export const runDeliveryEvents = (queued: readonly QueuedDelivery[]): RunEvent[] =>
  queued.map(({ deliveryId, tenantId, queuedAt }) => ({
    name: RUN_DELIVERY_REQUESTED,
    id: `${deliveryId}:${queuedAt}`,
    data: { deliveryId, tenantId },
  }));

/**
 * `queueEndedRunDeliveries` and its events, for a service that ended a run outside a function
 * (a cancel), after the run's transaction committed. A failure is logged only: the run has ended
 * either way, and the sweep queues what is still waiting, or sends a pending row's event again
 * under the same name.
 */
export async function dispatchEndedRunDeliveries(
  deps: { db: Database; dispatcher: RunDispatcher },
  ref: RunRef,
): Promise<void> {
  try {
    const queued = await queueEndedRunDeliveries(deps.db, ref);
    if (queued.length > 0) await deps.dispatcher.send(runDeliveryEvents(queued));
  } catch (error) {
    console.error(`deliveries of run ${ref.runId} left to the sweep: ${String(error)}`);
  }
}
