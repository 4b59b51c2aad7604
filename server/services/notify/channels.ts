import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { auditChanges, type AuditValue } from "@/lib/audit-changes";
import type { AuditAction, ChannelKind } from "@/lib/enums";
import {
  emailChannelConfig,
  webhookChannelConfig,
  type ChannelConfig,
  type ChannelInput,
  type ChannelSecretChange,
  type CreateChannelInput,
  type UpdateChannelInput,
} from "@/lib/schemas/alerts";
import { secretHintOf, secretMarker, secretMarkerAfterEdit } from "@/server/crypto/secret-summary";
import { decryptSecret, encryptSecret } from "@/server/crypto/secrets";
import type { Database, Transaction } from "@/server/db/client";
import { notificationChannels, schedules, webhooks } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { nameRaceAsConflict } from "@/server/services/catalog/names";
import { cannotBeSaved, ServiceError } from "@/server/services/errors";
import { generateSigningSecret } from "@/server/services/webhooks/webhook-signature";
import { sendEmail } from "./email";
import type { Notice } from "./notice";
import { refusedChannelUrl, refusedSmtpHost } from "./outbound";
import { sendSignedWebhook } from "./signed-webhook";
import { sendSlack } from "./slack";

export class ChannelNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "channel_not_found";
  constructor(channelId: string) {
    super(`Channel ${channelId} was not found.`);
  }
}

export class ChannelNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "channel_name_taken";
  readonly fieldErrors = { name: ["is already the name of another channel"] };
  constructor(name: string) {
    super(`A channel named "${name}" already exists.`);
  }
}

export class ChannelInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "channel_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(
      cannotBeSaved("The channel", fieldErrors, {
        name: "Name",
        secret: "Secret",
        "config.url": "URL",
        "config.smtpHost": "SMTP host",
        kind: "Kind",
      }),
    );
  }
}

const NAME_INDEX = "notification_channels_tenant_id_name_index";
type ChannelRow = typeof notificationChannels.$inferSelect;
type ChannelScope = { tenantId: string; audit: AuditContext };

/** What the console shows of a channel: never its secret, only that one is saved and how it ends. */
function shown(row: ChannelRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: row.config,
    hasSecret: row.secret !== null,
    secretHint: row.secretHint,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type ShownChannel = ReturnType<typeof shown>;

export async function listChannels(db: Database, tenantId: string) {
  const rows = await db
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.tenantId, tenantId))
    .orderBy(asc(notificationChannels.name), asc(notificationChannels.id));
  return rows.map(shown);
}

async function channelRow(db: Database | Transaction, tenantId: string, channelId: string) {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(
      and(eq(notificationChannels.id, channelId), eq(notificationChannels.tenantId, tenantId)),
    );
  if (!row) throw new ChannelNotFoundError(channelId);
  return row;
}

/** Refuses the save, saying why, unless every place the channel reaches passes the outbound check. */
async function refuseUnreachable(channel: ChannelInput, secret: string | null) {
  if (channel.kind === "webhook") {
    const refusal = await refusedChannelUrl(channel.config.url);
    if (refusal) throw new ChannelInvalidError({ "config.url": [refusal] });
  }
  if (channel.kind === "slack" && secret !== null) {
    const refusal = await refusedChannelUrl(secret);
    if (refusal) throw new ChannelInvalidError({ secret: [refusal] });
  }
  if (channel.kind === "email") {
    const { smtpHost, smtpPort, smtpSecurity } = channel.config;
    const refusal = await refusedSmtpHost(smtpHost, smtpPort, smtpSecurity === "none");
    if (refusal) throw new ChannelInvalidError({ "config.smtpHost": [refusal] });
  }
}

const AUDIT_LABELS = { name: "Name", kind: "Kind", target: "Sends to", secret: "Secret" };
type Audited = Partial<Record<keyof typeof AUDIT_LABELS, AuditValue>>;

/** Where a channel sends, fit for the audit log: addresses and hosts, never a path or secret. */
function targetOf(config: ChannelConfig): string {
  if ("recipients" in config) return `${config.recipients.join(", ")} via ${config.smtpHost}`;
  if ("url" in config) return URL.canParse(config.url) ? new URL(config.url).host : "(invalid URL)";
  return "Slack";
}

async function recordChannelAudit(
  tx: Transaction,
  scope: ChannelScope,
  action: Extract<AuditAction, `alert_channel.${string}`>,
  channel: { id: string; name: string },
  before: Audited | null,
  after: Audited | null,
) {
  await recordAudit(tx, {
    tenantId: scope.tenantId,
    ...scope.audit,
    action,
    target: { type: "alert_channel", id: channel.id },
    metadata: { name: channel.name, changes: auditChanges(before, after, AUDIT_LABELS) },
  });
}

/**
 * Saves a new channel. A Slack channel needs its URL (the secret); an email channel takes an
 * optional SMTP password; a signed webhook gets a generated signing secret, answered this once.
 */
export async function createChannel(db: Database, scope: ChannelScope, input: CreateChannelInput) {
  const { channel } = input;
  if (channel.kind === "slack" && !input.secret)
    throw new ChannelInvalidError({ secret: ["is required: the Slack incoming webhook URL"] });
  if (channel.kind === "webhook" && input.secret)
    throw new ChannelInvalidError({ secret: ["is generated by Skillrun for a signed webhook"] });
  const secret = channel.kind === "webhook" ? generateSigningSecret() : (input.secret ?? null);
  await refuseUnreachable(channel, secret);
  return db
    .transaction(async (tx) => {
      const [created] = await tx
        .insert(notificationChannels)
        .values({
          tenantId: scope.tenantId,
          name: channel.name,
          kind: channel.kind,
          config: channel.config,
          secret: secret === null ? null : encryptSecret(secret),
          secretHint: secret === null ? null : secretHintOf(secret),
        })
        .returning({ id: notificationChannels.id, name: notificationChannels.name });
      if (!created) throw new Error("The channel insert returned no row.");
      await recordChannelAudit(tx, scope, "alert_channel.create", created, null, {
        name: channel.name,
        kind: channel.kind,
        target: targetOf(channel.config),
        secret: secretMarker(secret !== null),
      });
      return { id: created.id, signingSecret: channel.kind === "webhook" ? secret : null };
    })
    .catch(nameRaceAsConflict(NAME_INDEX, () => new ChannelNameTakenError(channel.name)));
}

function nextSecret(kind: ChannelKind, change: ChannelSecretChange, current: string | null) {
  if (change.action === "keep") return current === null ? null : decryptSecret(current);
  if (change.action === "remove") {
    if (kind !== "email")
      throw new ChannelInvalidError({ secret: ["cannot be removed from this kind of channel"] });
    return null;
  }
  return change.value;
}

/** Edits a channel; its kind is fixed at creation. The secret is kept, replaced or (SMTP) removed. */
export async function updateChannel(db: Database, scope: ChannelScope, input: UpdateChannelInput) {
  const current = await channelRow(db, scope.tenantId, input.channelId);
  const { channel } = input;
  if (channel.kind !== current.kind)
    throw new ChannelInvalidError({ kind: ["cannot change: create a new channel instead"] });
  const secret = nextSecret(channel.kind, input.secret, current.secret);
  await refuseUnreachable(channel, secret);
  const before = shown(current);
  await db
    .transaction(async (tx) => {
      const [updated] = await tx
        .update(notificationChannels)
        .set({
          name: channel.name,
          config: channel.config,
          ...(input.secret.action === "keep"
            ? {}
            : {
                secret: secret === null ? null : encryptSecret(secret),
                secretHint: secret === null ? null : secretHintOf(secret),
              }),
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(notificationChannels.id, input.channelId),
            eq(notificationChannels.tenantId, scope.tenantId),
          ),
        )
        .returning({ id: notificationChannels.id });
      if (!updated) throw new ChannelNotFoundError(input.channelId);
      await recordChannelAudit(
        tx,
        scope,
        "alert_channel.update",
        { id: input.channelId, name: channel.name },
        {
          name: before.name,
          target: targetOf(before.config),
          secret: secretMarker(before.hasSecret),
        },
        {
          name: channel.name,
          target: targetOf(channel.config),
          secret: secretMarkerAfterEdit({
            kept: input.secret.action === "keep",
            had: before.hasSecret,
            has: secret !== null,
          }),
        },
      );
    })
    .catch(nameRaceAsConflict(NAME_INDEX, () => new ChannelNameTakenError(channel.name)));
}

/** Deletes a channel; rules lose it (their links cascade), the history keeps its name. */
export async function deleteChannel(db: Database, scope: ChannelScope, channelId: string) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(notificationChannels)
      .where(
        and(
          eq(notificationChannels.id, channelId),
          eq(notificationChannels.tenantId, scope.tenantId),
        ),
      )
      .returning();
    if (!deleted) throw new ChannelNotFoundError(channelId);
    // Schedules and webhooks stop naming it; their runs' deliveries not yet sent fail with
    // "The channel was deleted" when attempted.
    await Promise.all(
      [schedules, webhooks].map((table) =>
        tx
          .update(table)
          .set({
            deliveryChannelIds: sql`array_remove(${table.deliveryChannelIds}, ${channelId}::uuid)`,
          })
          .where(
            and(
              eq(table.tenantId, scope.tenantId),
              sql`${channelId}::uuid = any(${table.deliveryChannelIds})`,
            ),
          ),
      ),
    );
    await recordChannelAudit(
      tx,
      scope,
      "alert_channel.delete",
      deleted,
      { name: deleted.name, kind: deleted.kind, secret: secretMarker(deleted.secret !== null) },
      null,
    );
  });
}

/** The one place a stored channel's secret is opened: to send through it. */
export async function sendToChannel(row: ChannelRow, notice: Notice): Promise<void> {
  const secret = row.secret === null ? null : decryptSecret(row.secret);
  if (row.kind === "email")
    return sendEmail({ ...emailChannelConfig.parse(row.config), password: secret }, notice);
  if (secret === null) throw new Error(`Channel ${row.id} has no secret.`);
  if (row.kind === "slack") return sendSlack(secret, notice);
  const { url } = webhookChannelConfig.parse(row.config);
  return sendSignedWebhook({ url, signingSecret: secret }, notice);
}

export { channelRow as loadChannel };
