import "server-only";
import { and, eq, or, sql } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import { jsonbParam } from "@/server/db/jsonb";
import { decryptSecret, SecretDecryptionError } from "@/server/crypto/secrets";
import { webhookDeliveries, webhooks } from "@/server/db/schema";
import type { WebhookDeliveryVerdict } from "@/server/db/schema/enums";
import { recordAudit } from "@/server/services/access/audit";
import {
  DispatchFailedError,
  InputsInvalidError,
  SkillNotFoundError,
} from "@/server/services/runs/run-errors";
import { BudgetExceededError } from "@/server/services/budgets/budgets";
import { addChannelDeliveries } from "@/server/services/deliveries/channels";
import { createRun, dispatchCreatedRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { fieldErrorLine } from "@/lib/skill-inputs";
import { mapPayloadToInputs } from "./webhook-mapping";
import { mapPayloadToTags } from "@/lib/webhooks/payload-mapping";
import { DeliveryNotFoundError, WebhookNotFoundError } from "./webhooks";

/** A delivery id names one delivery for this long; a repeat within it gets the original run. */
export const DELIVERY_DEDUPE_WINDOW_MS = 24 * 3_600_000;

export type DeliverableWebhook = {
  id: string;
  tenantId: string;
  skillId: string;
  agentId: string | null;
  inputMapping: Record<string, { pointer?: string; default?: unknown }>;
  /** Tags every run carries, and tag keys read from the payload by JSON Pointer. */
  tags: string[];
  tagMapping: Record<string, string>;
  rateLimitPerMinute: number;
  /** The secrets a signature may use now: the current one, and the previous one during its grace. */
  secrets: string[];
  /**
   * Why the current secret cannot be read (encrypted with a key the server no longer has), or
   * null: no delivery can be verified until an operator restores the key or rotates the secret.
   */
  unreadableSecret: string | null;
};

/** The secret a stored value holds, or null when no configured key opens it. */
function readableSecret(stored: string): { secret: string } | { problem: string } {
  try {
    return { secret: decryptSecret(stored) };
  } catch (error) {
    if (error instanceof SecretDecryptionError) return { problem: error.message };
    throw error;
  }
}

/** An enabled webhook by id, with the secrets valid at `now`; null for unknown and disabled alike. */
export async function findDeliverableWebhook(
  db: Database,
  webhookId: string,
  now = new Date(),
): Promise<DeliverableWebhook | null> {
  const [webhook] = await db
    .select({
      id: webhooks.id,
      tenantId: webhooks.tenantId,
      skillId: webhooks.skillId,
      agentId: webhooks.agentId,
      inputMapping: webhooks.inputMapping,
      tags: webhooks.tags,
      tagMapping: webhooks.tagMapping,
      rateLimitPerMinute: webhooks.rateLimitPerMinute,
      signingSecret: webhooks.signingSecret,
      previousSigningSecret: webhooks.previousSigningSecret,
      previousSecretExpiresAt: webhooks.previousSecretExpiresAt,
    })
    .from(webhooks)
    .where(and(eq(webhooks.id, webhookId), eq(webhooks.enabled, true)));
  if (!webhook) return null;
  const previousValid =
    webhook.previousSigningSecret &&
    webhook.previousSecretExpiresAt &&
    webhook.previousSecretExpiresAt > now;
  const current = readableSecret(webhook.signingSecret);
  // An unreadable previous secret only ends its grace early: senders should use the current one.
  const previous =
    previousValid && webhook.previousSigningSecret
      ? readableSecret(webhook.previousSigningSecret)
      : null;
  return {
    id: webhook.id,
    tenantId: webhook.tenantId,
    skillId: webhook.skillId,
    agentId: webhook.agentId,
    inputMapping: webhook.inputMapping,
    tags: webhook.tags,
    tagMapping: webhook.tagMapping,
    rateLimitPerMinute: webhook.rateLimitPerMinute,
    secrets: [current, previous].flatMap((read) => (read && "secret" in read ? [read.secret] : [])),
    unreadableSecret: "problem" in current ? current.problem : null,
  };
}

export type DeliveryRecord = {
  deliveryId?: string | null;
  verdict: WebhookDeliveryVerdict;
  httpStatus: number;
  bodyBytes?: number;
  /** Only for deliveries whose signature verified. */
  payload?: unknown;
  error?: string | null;
  runId?: string | null;
  deduplicated?: boolean;
  replayOfId?: string | null;
  replayedByUserId?: string | null;
  /** The verified request's signed-content digest (`signedContentDigest`); only an accepted row claims it. */
  signature?: string | null;
};

function deliveryRow(webhook: { id: string; tenantId: string }, record: DeliveryRecord) {
  return {
    tenantId: webhook.tenantId,
    webhookId: webhook.id,
    deliveryId: record.deliveryId ?? null,
    verdict: record.verdict,
    httpStatus: record.httpStatus,
    bodyBytes: record.bodyBytes ?? 0,
    payload: record.payload === undefined ? null : jsonbParam(record.payload),
    error: record.error ?? null,
    runId: record.runId ?? null,
    deduplicated: record.deduplicated ?? false,
    replayOfId: record.replayOfId ?? null,
    replayedByUserId: record.replayedByUserId ?? null,
    signature: record.signature ?? null,
  };
}

/** Appends to the webhook's delivery log. */
export async function recordDelivery(
  db: Database | Transaction,
  webhook: { id: string; tenantId: string },
  record: DeliveryRecord,
) {
  await db.insert(webhookDeliveries).values(deliveryRow(webhook, record));
}

export type DeliveryOutcome =
  | { verdict: "accepted"; runId: string }
  | { verdict: "duplicate"; runId: string | null }
  | { verdict: "inputs_invalid"; fieldErrors: Record<string, string[]> }
  | { verdict: "failed"; message: string }
  /** The tenant's monthly hard limit is reached: logged as failed, answered as `budget_exceeded`. */
  | { verdict: "over_budget"; error: BudgetExceededError };

/** Field errors that say which pointer found nothing, so the sender can fix the payload or the mapping. */
function explainUnresolved(
  error: InputsInvalidError,
  unresolved: Record<string, string>,
): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    const pointer = unresolved[field];
    fields[field] = pointer
      ? messages.map((message) => `${message}, and the payload has nothing at ${pointer}`)
      : messages;
  }
  return fields;
}

/** Field errors as one line for the delivery log: "title is required, and the payload has nothing at /issue/title". */
const fieldErrorLines = (fieldErrors: Record<string, string[]>) =>
  Object.entries(fieldErrors)
    .flatMap(([field, messages]) =>
      messages.map((message) => fieldErrorLine(field || "inputs", message)),
    )
    .join("; ");

/** The delivery's id or signature is held by an accepted delivery: its transaction rolls back. */
class DeliveryClaimed extends Error {}

const accepted = sql`${webhookDeliveries.verdict} = 'accepted'`;
const holdsItsId = sql`${accepted} and ${webhookDeliveries.deliveryId} is not null and ${webhookDeliveries.deliveryIdReleasedAt} is null`;

type Delivery = {
  payload: unknown;
  deliveryId: string | null;
  /** The verified request's signed-content digest; null for a replay from the log, which has no request of its own. */
  signature?: string | null;
  bodyBytes: number;
  origin?: string | null;
  replay?: { ofId: string; userId: string };
};

/** Claims fail this often in a row only under a storm of copies released and reclaimed at once. */
const MAX_CLAIM_ATTEMPTS = 5;

/**
 * Turns a verified payload into a run: maps it to inputs, then, in one transaction, creates the
 * run and logs the delivery — claiming its delivery id and its signature on the log's unique
 * indexes — and the audit entry. A claim held by another accepted delivery conflicts (a
 * concurrent copy waits for the first to commit), the transaction rolls back leaving nothing,
 * and the copy is answered with the original run: a repeated delivery id within 24 h, or the
 * same signed request replayed under any delivery id. An id held for longer than 24 h is
 * released and the delivery claims it again. The run is dispatched after commit. Inputs that do
 * not fit create nothing but the log entry (unless the delivery is a repeat: then it is answered
 * as one, whatever the mapping says now).
 */
export async function acceptDelivery(
  deps: RunServiceDeps,
  webhook: DeliverableWebhook,
  delivery: Delivery,
  now = new Date(),
): Promise<DeliveryOutcome> {
  const { inputs, unresolved } = mapPayloadToInputs(webhook.inputMapping, delivery.payload);
  const tags = [...webhook.tags, ...mapPayloadToTags(webhook.tagMapping, delivery.payload)];
  const logged = {
    deliveryId: delivery.deliveryId,
    signature: delivery.signature ?? null,
    bodyBytes: delivery.bodyBytes,
    payload: delivery.payload,
    replayOfId: delivery.replay?.ofId ?? null,
    replayedByUserId: delivery.replay?.userId ?? null,
  };
  const createRunAndClaim = () =>
    deps.db.transaction(async (tx) => {
      const { run } = await createRun(tx, {
        tenantId: webhook.tenantId,
        skill: { id: webhook.skillId },
        agentId: webhook.agentId,
        inputs,
        tags,
        source: "webhook",
        invoker: { webhookId: webhook.id, userId: delivery.replay?.userId ?? null },
      });
      // Independent inserts, sent together: one round trip (postgres.js pipelines them).
      const [claimed] = await Promise.all([
        tx
          .insert(webhookDeliveries)
          .values(
            deliveryRow(webhook, {
              ...logged,
              verdict: "accepted",
              httpStatus: 202,
              runId: run.id,
            }),
          )
          .onConflictDoNothing()
          .returning({ id: webhookDeliveries.id }),
        recordAudit(tx, {
          tenantId: webhook.tenantId,
          actor: delivery.replay
            ? { type: "user", id: delivery.replay.userId }
            : { type: "webhook", id: webhook.id },
          action: delivery.replay ? "webhook.replay" : "run.start",
          target: { type: "run", id: run.id },
          origin: delivery.origin ?? null,
          metadata: {
            webhookId: webhook.id,
            ...(delivery.replay ? { replayOf: delivery.replay.ofId } : {}),
          },
        }),
        // The run's results to the webhook's channels: the outbox rows, with the run.
        addChannelDeliveries(tx, [{ runId: run.id, tenantId: webhook.tenantId }]),
      ]);
      if (claimed.length === 0) throw new DeliveryClaimed();
      return run;
    });

  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const run = await createRunAndClaim();
        // After commit, so the function finds the run. A failed send marks the run failed
        // (dispatch_failed), visibly; the delivery itself was accepted and stays so.
        await dispatchCreatedRun(deps, run, webhook.tenantId).catch((error: unknown) => {
          if (!(error instanceof DispatchFailedError)) throw error;
        });
        return { verdict: "accepted", runId: run.id };
      } catch (error) {
        if (!(error instanceof DeliveryClaimed) || attempt >= MAX_CLAIM_ATTEMPTS) throw error;
        const holder = await findHolder(deps.db, webhook.id, logged, now);
        if (holder === "released") continue;
        // No holder: it was released and is being reclaimed right now; the next claim waits for it.
        if (holder === null) continue;
        return answerAsDuplicate(deps.db, webhook, logged, holder);
      }
    }
  } catch (error) {
    if (
      !(error instanceof InputsInvalidError) &&
      !(error instanceof SkillNotFoundError) &&
      !(error instanceof BudgetExceededError)
    )
      throw error;
    // A repeat of an accepted delivery is answered as one, even if the mapping or skill changed since.
    const holder = await findHolder(deps.db, webhook.id, logged, now);
    if (holder && holder !== "released") return answerAsDuplicate(deps.db, webhook, logged, holder);
    if (error instanceof BudgetExceededError) {
      await recordDelivery(deps.db, webhook, {
        ...logged,
        verdict: "failed",
        httpStatus: 409,
        error: error.message,
      });
      return { verdict: "over_budget", error };
    }
    if (error instanceof InputsInvalidError) {
      const fieldErrors = explainUnresolved(error, unresolved);
      await recordDelivery(deps.db, webhook, {
        ...logged,
        verdict: "inputs_invalid",
        httpStatus: 422,
        // As specific as the answer to the sender (and the replay's toast): which input, which pointer.
        error: fieldErrorLines(fieldErrors),
      });
      return { verdict: "inputs_invalid", fieldErrors };
    }
    const message = "The webhook's skill is no longer available in this tenant.";
    await recordDelivery(deps.db, webhook, {
      ...logged,
      verdict: "failed",
      httpStatus: 409,
      error: message,
    });
    return { verdict: "failed", message };
  }
}

type Claims = { deliveryId: string | null; signature: string | null };

/** Accepted deliveries of the webhook holding this delivery's signature, or its id (of any age). */
async function acceptedHolders(db: Database, webhookId: string, delivery: Claims) {
  const claims = [
    delivery.signature ? sql`${webhookDeliveries.signature} = ${delivery.signature}` : null,
    delivery.deliveryId
      ? sql`(${webhookDeliveries.deliveryId} = ${delivery.deliveryId} and ${holdsItsId})`
      : null,
  ].filter((claim) => claim !== null);
  if (claims.length === 0) return [];
  return db
    .select({
      id: webhookDeliveries.id,
      runId: webhookDeliveries.runId,
      receivedAt: webhookDeliveries.receivedAt,
      signature: webhookDeliveries.signature,
    })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, webhookId), accepted, or(...claims)));
}

const heldBySignature = (holders: Awaited<ReturnType<typeof acceptedHolders>>, delivery: Claims) =>
  holders.find((holder) => delivery.signature && holder.signature === delivery.signature);
const withinDedupeWindow = (holder: { receivedAt: Date }, now: Date) =>
  holder.receivedAt.getTime() > now.getTime() - DELIVERY_DEDUPE_WINDOW_MS;

/**
 * The accepted delivery this one repeats — the same signed request, or its delivery id within
 * the last 24 h — or null. Read only, so the receiver can answer a repeat before it spends the
 * sender's rate limit; `acceptDelivery` still settles concurrent copies on the unique indexes.
 */
export async function findRepeatedDelivery(
  db: Database,
  webhookId: string,
  delivery: Claims,
  now = new Date(),
): Promise<{ runId: string | null } | null> {
  const holders = await acceptedHolders(db, webhookId, delivery);
  const byId = holders[0];
  return (
    heldBySignature(holders, delivery) ?? (byId && withinDedupeWindow(byId, now) ? byId : null)
  );
}

/**
 * The accepted delivery holding this delivery's signature, or its id within the last 24 h.
 * An id held for longer is released ("released": claim it again); null when nothing holds either.
 */
async function findHolder(
  db: Database,
  webhookId: string,
  delivery: Claims,
  now: Date,
): Promise<{ runId: string | null } | "released" | null> {
  const holders = await acceptedHolders(db, webhookId, delivery);
  const bySignature = heldBySignature(holders, delivery);
  if (bySignature) return bySignature;
  const byId = holders[0];
  if (!byId) return null;
  if (withinDedupeWindow(byId, now)) return byId;
  await db
    .update(webhookDeliveries)
    .set({ deliveryIdReleasedAt: now })
    .where(and(eq(webhookDeliveries.id, byId.id), holdsItsId));
  return "released";
}

async function answerAsDuplicate(
  db: Database,
  webhook: DeliverableWebhook,
  logged: Omit<DeliveryRecord, "verdict" | "httpStatus">,
  holder: { runId: string | null },
): Promise<DeliveryOutcome> {
  // The duplicate's own row claims nothing: only accepted rows hold ids and signatures.
  await recordDelivery(db, webhook, {
    ...logged,
    verdict: "duplicate",
    httpStatus: 202,
    deduplicated: true,
    runId: holder.runId,
  });
  return { verdict: "duplicate", runId: holder.runId };
}

/**
 * Replays a logged delivery through the webhook's current mapping, skill and agent: a new
 * delivery in the log (pointing at the original) and, if its inputs fit, a new run. Disabled
 * webhooks are replayable: an operator may want the run while the sender stays shut out.
 */
export async function replayDelivery(
  deps: RunServiceDeps,
  scope: { tenantId: string; userId: string; deliveryId: string; origin?: string | null },
) {
  const [original] = await deps.db
    .select({
      payload: webhookDeliveries.payload,
      bodyBytes: webhookDeliveries.bodyBytes,
      webhookId: webhookDeliveries.webhookId,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.id, scope.deliveryId),
        eq(webhookDeliveries.tenantId, scope.tenantId),
        sql`${webhookDeliveries.payload} is not null`,
      ),
    );
  if (!original) throw new DeliveryNotFoundError(scope.deliveryId);
  const [webhook] = await deps.db
    .select({
      id: webhooks.id,
      tenantId: webhooks.tenantId,
      skillId: webhooks.skillId,
      agentId: webhooks.agentId,
      inputMapping: webhooks.inputMapping,
      tags: webhooks.tags,
      tagMapping: webhooks.tagMapping,
      rateLimitPerMinute: webhooks.rateLimitPerMinute,
    })
    .from(webhooks)
    .where(and(eq(webhooks.id, original.webhookId), eq(webhooks.tenantId, scope.tenantId)));
  if (!webhook) throw new WebhookNotFoundError(original.webhookId);
  const outcome = await acceptDelivery(
    deps,
    { ...webhook, secrets: [], unreadableSecret: null },
    {
      payload: original.payload,
      deliveryId: null,
      bodyBytes: original.bodyBytes,
      origin: scope.origin,
      replay: { ofId: scope.deliveryId, userId: scope.userId },
    },
  );
  if (outcome.verdict === "inputs_invalid") throw new InputsInvalidError(outcome.fieldErrors);
  if (outcome.verdict === "failed") throw new SkillNotFoundError(webhook.skillId);
  if (outcome.verdict === "over_budget") throw outcome.error;
  return { runId: outcome.runId };
}
