import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { deliveryChannelErrors } from "@/server/services/deliveries/channels";
import type { Database, Transaction } from "@/server/db/client";
import { agents, skillRuns, skills, webhookDeliveries, webhooks } from "@/server/db/schema";
import { recordAudit, type AuditContext, type AuditEntry } from "@/server/services/access/audit";
import { InputsInvalidError } from "@/server/services/runs/run-errors";
import { replayabilityOf } from "./webhook-replayability";
import { ServiceError } from "@/server/services/errors";
import { checkRunTarget } from "@/server/services/runs/run-target";
import type { WebhookInput } from "@/lib/schemas/webhooks";
import { checkInputMapping, checkTagMapping } from "./webhook-mapping";
import { MAX_TAGS_PER_RUN } from "@/lib/run-tags";
import { generateSigningSecret } from "./webhook-signature";
import { encryptSecret } from "@/server/crypto/secrets";
import { skillProblemOf } from "@/server/services/catalog/skill-readiness";

export class WebhookNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "webhook_not_found";
  constructor(webhookId: string) {
    super(`Webhook ${webhookId} was not found.`);
  }
}

export class DeliveryNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "delivery_not_found";
  constructor(deliveryId: string) {
    super(
      `Delivery ${deliveryId} was not found, or its payload was not kept (only deliveries with a valid signature can be replayed).`,
    );
  }
}

/** Who changes a webhook: the tenant, the user (the webhook's creator) and what the audit log records. */
export type WebhookActorScope = { tenantId: string; userId: string; audit: AuditContext };

async function validateWebhook(db: Database | Transaction, tenantId: string, input: WebhookInput) {
  const { skill, errors } = await checkRunTarget(db, tenantId, input);
  if (skill) Object.assign(errors, checkInputMapping(input.inputMapping, skill.inputsSchema));
  Object.assign(errors, checkTagMapping(input.tagMapping ?? {}));
  Object.assign(errors, await deliveryChannelErrors(db, tenantId, input.deliveryChannelIds));
  const tagCount = (input.tags?.length ?? 0) + Object.keys(input.tagMapping ?? {}).length;
  if (tagCount > MAX_TAGS_PER_RUN)
    errors.tags = [`A run carries at most ${MAX_TAGS_PER_RUN} tags, static and mapped together`];
  if (Object.keys(errors).length) throw new InputsInvalidError(errors);
}

const auditOf = (
  scope: WebhookActorScope,
  webhookId: string,
  action: "webhook.create" | "webhook.update" | "webhook.rotate_secret" | "webhook.delete",
  metadata: Record<string, unknown> = {},
): AuditEntry => ({
  tenantId: scope.tenantId,
  ...scope.audit,
  action,
  target: { type: "webhook", id: webhookId },
  metadata,
});

/** Creates a webhook; the answer carries its signing secret, the only time it leaves the server. */
export async function createWebhook(db: Database, scope: WebhookActorScope, input: WebhookInput) {
  await validateWebhook(db, scope.tenantId, input);
  const secret = generateSigningSecret();
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(webhooks)
      .values({
        tenantId: scope.tenantId,
        ...input,
        // Omitted, kept on an update (drizzle leaves an undefined column out), none on a create.
        deliveryChannelIds: input.deliveryChannelIds && [...new Set(input.deliveryChannelIds)],
        signingSecret: encryptSecret(secret),
        createdByUserId: scope.userId,
      })
      .returning({ id: webhooks.id });
    await recordAudit(tx, auditOf(scope, created!.id, "webhook.create", { name: input.name }));
    return { id: created!.id, secret };
  });
}

export async function updateWebhook(
  db: Database,
  scope: WebhookActorScope & { webhookId: string },
  input: WebhookInput,
) {
  await validateWebhook(db, scope.tenantId, input);
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(webhooks)
      .set({
        ...input,
        // Omitted, kept on an update (drizzle leaves an undefined column out), none on a create.
        deliveryChannelIds: input.deliveryChannelIds && [...new Set(input.deliveryChannelIds)],
        updatedAt: new Date(),
      })
      .where(and(eq(webhooks.id, scope.webhookId), eq(webhooks.tenantId, scope.tenantId)))
      .returning({ id: webhooks.id });
    if (updated.length === 0) throw new WebhookNotFoundError(scope.webhookId);
    await recordAudit(
      tx,
      auditOf(scope, scope.webhookId, "webhook.update", {
        name: input.name,
        enabled: input.enabled,
      }),
    );
  });
}

/** Enabling an enabled webhook (or disabling a disabled one) changes nothing and logs nothing. */
export async function setWebhookEnabled(
  db: Database,
  scope: WebhookActorScope & { webhookId: string },
  enabled: boolean,
) {
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ enabled: webhooks.enabled })
      .from(webhooks)
      .where(and(eq(webhooks.id, scope.webhookId), eq(webhooks.tenantId, scope.tenantId)))
      .for("update");
    if (!current) throw new WebhookNotFoundError(scope.webhookId);
    if (current.enabled === enabled) return;
    await tx
      .update(webhooks)
      .set({ enabled, updatedAt: new Date() })
      .where(eq(webhooks.id, scope.webhookId));
    await recordAudit(tx, auditOf(scope, scope.webhookId, "webhook.update", { enabled }));
  });
}

/**
 * A new signing secret. The old one stays valid for `graceHours` (0 ends it now), so a sender
 * can switch without dropping deliveries; a second rotation within the grace ends the first
 * one's old secret at once. Answers the new secret: shown once.
 */
export async function rotateWebhookSecret(
  db: Database,
  scope: WebhookActorScope & { webhookId: string },
  graceHours: number,
  now = new Date(),
) {
  const secret = generateSigningSecret();
  const expiresAt = new Date(now.getTime() + graceHours * 3_600_000);
  return db.transaction(async (tx) => {
    const rotated = await tx
      .update(webhooks)
      .set({
        previousSigningSecret: graceHours > 0 ? sql`${webhooks.signingSecret}` : null,
        previousSecretExpiresAt: graceHours > 0 ? expiresAt : null,
        signingSecret: encryptSecret(secret),
        updatedAt: now,
      })
      .where(and(eq(webhooks.id, scope.webhookId), eq(webhooks.tenantId, scope.tenantId)))
      .returning({ id: webhooks.id });
    if (rotated.length === 0) throw new WebhookNotFoundError(scope.webhookId);
    await recordAudit(tx, auditOf(scope, scope.webhookId, "webhook.rotate_secret", { graceHours }));
    return { secret, previousSecretExpiresAt: graceHours > 0 ? expiresAt : null };
  });
}

export async function deleteWebhook(
  db: Database,
  scope: WebhookActorScope & { webhookId: string },
) {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(webhooks)
      .where(and(eq(webhooks.id, scope.webhookId), eq(webhooks.tenantId, scope.tenantId)))
      .returning({ id: webhooks.id, name: webhooks.name });
    if (deleted.length === 0) throw new WebhookNotFoundError(scope.webhookId);
    await recordAudit(
      tx,
      auditOf(scope, scope.webhookId, "webhook.delete", { name: deleted[0]!.name }),
    );
  });
}

/** Each webhook's newest delivery, looked up once per webhook (a lateral join on the log's index). */
const lastDeliveryOf = (db: Database) =>
  db
    .select({ receivedAt: webhookDeliveries.receivedAt, verdict: webhookDeliveries.verdict })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhooks.id))
    .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
    .limit(1)
    .as("last_delivery");

/** Everything about a webhook except its secrets. */
const webhookColumns = (lastDelivery: ReturnType<typeof lastDeliveryOf>) => ({
  id: webhooks.id,
  name: webhooks.name,
  enabled: webhooks.enabled,
  inputMapping: webhooks.inputMapping,
  tags: webhooks.tags,
  tagMapping: webhooks.tagMapping,
  deliveryChannelIds: webhooks.deliveryChannelIds,
  rateLimitPerMinute: webhooks.rateLimitPerMinute,
  previousSecretExpiresAt: webhooks.previousSecretExpiresAt,
  createdAt: webhooks.createdAt,
  updatedAt: webhooks.updatedAt,
  skill: { id: skills.id, slug: skills.slug, name: skills.name },
  agent: { id: agents.id, name: agents.name },
  skillProblem: skillProblemOf(webhooks),
  lastDeliveryAt: lastDelivery.receivedAt,
  lastVerdict: lastDelivery.verdict,
});

export function listWebhooks(db: Database, tenantId: string) {
  const lastDelivery = lastDeliveryOf(db);
  return db
    .select(webhookColumns(lastDelivery))
    .from(webhooks)
    .innerJoin(skills, eq(skills.id, webhooks.skillId))
    .leftJoin(agents, eq(agents.id, webhooks.agentId))
    .leftJoinLateral(lastDelivery, sql`true`)
    .where(eq(webhooks.tenantId, tenantId))
    .orderBy(asc(webhooks.name), asc(webhooks.id));
}

export async function getWebhook(db: Database, tenantId: string, webhookId: string) {
  const lastDelivery = lastDeliveryOf(db);
  const [webhook] = await db
    .select(webhookColumns(lastDelivery))
    .from(webhooks)
    .innerJoin(skills, eq(skills.id, webhooks.skillId))
    .leftJoin(agents, eq(agents.id, webhooks.agentId))
    .leftJoinLateral(lastDelivery, sql`true`)
    .where(and(eq(webhooks.id, webhookId), eq(webhooks.tenantId, tenantId)));
  if (!webhook) throw new WebhookNotFoundError(webhookId);
  return webhook;
}

/** What decides whether a logged delivery can be replayed now (see `replayabilityOf`). */
async function replayConfigOf(db: Database, scope: { tenantId: string; webhookId: string }) {
  const [config] = await db
    .select({
      webhookUpdatedAt: webhooks.updatedAt,
      skillUpdatedAt: skills.updatedAt,
      skillAvailable: skills.enabled,
    })
    .from(webhooks)
    .innerJoin(skills, eq(skills.id, webhooks.skillId))
    .where(and(eq(webhooks.id, scope.webhookId), eq(webhooks.tenantId, scope.tenantId)));
  if (!config) throw new WebhookNotFoundError(scope.webhookId);
  const { webhookUpdatedAt, skillUpdatedAt, skillAvailable } = config;
  return {
    skillAvailable,
    configChangedAt: webhookUpdatedAt > skillUpdatedAt ? webhookUpdatedAt : skillUpdatedAt,
  };
}

/** Characters of a payload the delivery log shows per row; the whole payload is one click away. */
const PAYLOAD_PREVIEW_CHARS = 160;

/**
 * The delivery log, newest first, `limit` rows after the delivery `cursor` names. The cursor is
 * an id whose exact (microsecond) time the query reads back: a JS Date would round it to the
 * millisecond and skip deliveries received in the same one.
 */
export async function listWebhookDeliveries(
  db: Database,
  scope: { tenantId: string; webhookId: string },
  page: { limit: number; cursor?: string | null },
) {
  const config = await replayConfigOf(db, scope);
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      deliveryId: webhookDeliveries.deliveryId,
      receivedAt: webhookDeliveries.receivedAt,
      verdict: webhookDeliveries.verdict,
      httpStatus: webhookDeliveries.httpStatus,
      deduplicated: webhookDeliveries.deduplicated,
      bodyBytes: webhookDeliveries.bodyBytes,
      error: webhookDeliveries.error,
      replayOfId: webhookDeliveries.replayOfId,
      hasPayload: sql<boolean>`${webhookDeliveries.payload} is not null`,
      payloadPreview: sql<
        string | null
      >`left(${webhookDeliveries.payload}::text, ${PAYLOAD_PREVIEW_CHARS})`,
      run: { id: skillRuns.id, status: skillRuns.status },
    })
    .from(webhookDeliveries)
    .leftJoin(skillRuns, eq(skillRuns.id, webhookDeliveries.runId))
    .where(
      and(
        eq(webhookDeliveries.webhookId, scope.webhookId),
        eq(webhookDeliveries.tenantId, scope.tenantId),
        page.cursor
          ? sql`(${webhookDeliveries.receivedAt}, ${webhookDeliveries.id}) < (select received_at, id from ${webhookDeliveries} where id = ${page.cursor} and webhook_id = ${scope.webhookId})`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.receivedAt), desc(webhookDeliveries.id))
    .limit(page.limit + 1);
  const deliveries = rows
    .slice(0, page.limit)
    .map((delivery) => ({ ...delivery, replay: replayabilityOf(delivery, config) }));
  const last = deliveries.at(-1);
  return { deliveries, nextCursor: rows.length > page.limit && last ? last.id : null };
}

/** One delivery's payload, for the log's detail view. */
export async function getWebhookDeliveryPayload(
  db: Database,
  scope: { tenantId: string; deliveryId: string },
) {
  const [delivery] = await db
    .select({ payload: webhookDeliveries.payload })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.id, scope.deliveryId),
        eq(webhookDeliveries.tenantId, scope.tenantId),
      ),
    );
  if (!delivery) throw new DeliveryNotFoundError(scope.deliveryId);
  return delivery.payload;
}
