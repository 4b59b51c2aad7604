import "server-only";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import {
  decryptSecret,
  encryptSecret,
  keyIdOf,
  needsSealing,
  SecretDecryptionError,
  type Keyring,
} from "@/server/crypto/secrets";
import type { Database } from "./client";
import { mcpServers, notificationChannels, runDeliveries, webhooks } from "./schema";

/** A stored secret no configured key opens: where it is, and the key it names (null: malformed). */
export type UnreadableSecret = {
  table: "mcp_servers" | "webhooks" | "notification_channels" | "run_deliveries";
  id: string;
  keyId: string | null;
};

/** The log line for secrets `sealStoredSecrets` could not open. */
export function describeUnreadableSecrets(unreadable: UnreadableSecret[]): string {
  const rows = unreadable.map(
    (secret) => `${secret.table} ${secret.id} (key id ${secret.keyId ?? "unknown"})`,
  );
  return `${unreadable.length} stored secret${unreadable.length === 1 ? "" : "s"} could not be decrypted with the configured keys and were left as they are: ${rows.join(", ")}. Set the key that encrypted them as SKILLRUN_ENCRYPTION_KEY_PREVIOUS, or set those secrets again.`;
}

/** Alert channels' secrets (the SMTP password, the Slack URL or the signing secret), as above. */
async function sealChannelSecrets(
  db: Database,
  keyring: Keyring,
  reseal: (stored: string) => string | null,
  reportUnreadable: (id: string) => void,
): Promise<number> {
  let sealed = 0;
  const channels = await db
    .select({ id: notificationChannels.id, secret: notificationChannels.secret })
    .from(notificationChannels)
    .where(isNotNull(notificationChannels.secret));
  for (const channel of channels) {
    if (!channel.secret || !needsSealing(channel.secret, keyring)) continue;
    const secret = reseal(channel.secret);
    if (secret === null) {
      reportUnreadable(channel.id);
      continue;
    }
    const updated = await db
      .update(notificationChannels)
      .set({ secret, updatedAt: sql`${notificationChannels.updatedAt}` })
      .where(
        and(
          eq(notificationChannels.id, channel.id),
          eq(notificationChannels.secret, channel.secret),
        ),
      )
      .returning({ id: notificationChannels.id });
    sealed += updated.length;
  }
  return sealed;
}

/** MCP servers' auth tokens, as above. */
async function sealMcpServerSecrets(
  db: Database,
  keyring: Keyring,
  reseal: (stored: string) => string | null,
  reportUnreadable: (id: string) => void,
): Promise<number> {
  let sealed = 0;
  const servers = await db
    .select({ id: mcpServers.id, authToken: mcpServers.authToken })
    .from(mcpServers)
    .where(isNotNull(mcpServers.authToken));
  for (const server of servers) {
    if (!server.authToken || !needsSealing(server.authToken, keyring)) continue;
    const authToken = reseal(server.authToken);
    if (authToken === null) {
      reportUnreadable(server.id);
      continue;
    }
    const updated = await db
      .update(mcpServers)
      // Sealing is no edit: updated_at stays (a webhook's replayability reads it).
      .set({ authToken, updatedAt: sql`${mcpServers.updatedAt}` })
      .where(and(eq(mcpServers.id, server.id), eq(mcpServers.authToken, server.authToken)))
      .returning({ id: mcpServers.id });
    sealed += updated.length;
  }
  return sealed;
}

/**
 * Callbacks' URLs and signing secrets, of deliveries that may still be sent (waiting, pending,
 * failed: a retry sends it). A sent one's secret is read only to answer a repeated start, which
 * leaves the secret out if no key opens it, so history is not rescanned on every start.
 */
async function sealRunDeliverySecrets(
  db: Database,
  keyring: Keyring,
  reseal: (stored: string) => string | null,
  reportUnreadable: (id: string) => void,
): Promise<number> {
  let sealed = 0;
  const rows = await db
    .select({ id: runDeliveries.id, secret: runDeliveries.secret })
    .from(runDeliveries)
    .where(
      and(
        isNotNull(runDeliveries.secret),
        inArray(runDeliveries.status, ["waiting", "pending", "failed"]),
      ),
    );
  for (const row of rows) {
    if (!row.secret || !needsSealing(row.secret, keyring)) continue;
    const secret = reseal(row.secret);
    if (secret === null) {
      reportUnreadable(row.id);
      continue;
    }
    const updated = await db
      .update(runDeliveries)
      .set({ secret })
      .where(and(eq(runDeliveries.id, row.id), eq(runDeliveries.secret, row.secret)))
      .returning({ id: runDeliveries.id });
    sealed += updated.length;
  }
  return sealed;
}

/**
 * Brings every stored secret under the current key: values from before encryption existed are
 * encrypted, values under a previous key re-encrypted. Runs on every start (after migrations)
 * and from `scripts/rotate-encryption-key.ts`; a database already sealed costs two small scans.
 * Each row is updated only if it still holds the value read, so a secret rotated meanwhile is
 * left to its writer. A value no configured key opens is left as it is and reported: one lost
 * key must not keep the app from starting (that MCP server or webhook fails alone until its
 * secret is set again).
 */
export async function sealStoredSecrets(
  db: Database,
  keyring: Keyring,
): Promise<{ sealed: number; unreadable: UnreadableSecret[] }> {
  let sealed = 0;
  const unreadable: UnreadableSecret[] = [];
  let failedKeyId: string | null = null;
  const reseal = (stored: string) => {
    try {
      return encryptSecret(decryptSecret(stored, keyring), keyring);
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      failedKeyId = keyIdOf(stored);
      return null;
    }
  };

  const hooks = await db
    .select({
      id: webhooks.id,
      signingSecret: webhooks.signingSecret,
      previousSigningSecret: webhooks.previousSigningSecret,
    })
    .from(webhooks);
  for (const hook of hooks) {
    const current = needsSealing(hook.signingSecret, keyring);
    const previous =
      hook.previousSigningSecret !== null && needsSealing(hook.previousSigningSecret, keyring);
    if (!current && !previous) continue;
    const signingSecret = current ? reseal(hook.signingSecret) : hook.signingSecret;
    const previousSigningSecret =
      previous && hook.previousSigningSecret
        ? reseal(hook.previousSigningSecret)
        : hook.previousSigningSecret;
    if (signingSecret === null || (hook.previousSigningSecret !== null && !previousSigningSecret)) {
      unreadable.push({ table: "webhooks", id: hook.id, keyId: failedKeyId });
      continue;
    }
    const updated = await db
      .update(webhooks)
      .set({
        signingSecret,
        previousSigningSecret,
        updatedAt: sql`${webhooks.updatedAt}`,
      })
      .where(
        and(
          eq(webhooks.id, hook.id),
          eq(webhooks.signingSecret, hook.signingSecret),
          hook.previousSigningSecret === null
            ? isNull(webhooks.previousSigningSecret)
            : eq(webhooks.previousSigningSecret, hook.previousSigningSecret),
        ),
      )
      .returning({ id: webhooks.id });
    sealed += updated.length;
  }

  const sealers: [UnreadableSecret["table"], typeof sealChannelSecrets][] = [
    ["mcp_servers", sealMcpServerSecrets],
    ["notification_channels", sealChannelSecrets],
    ["run_deliveries", sealRunDeliverySecrets],
  ];
  for (const [table, seal] of sealers)
    sealed += await seal(db, keyring, reseal, (id) =>
      unreadable.push({ table, id, keyId: failedKeyId }),
    );
  return { sealed, unreadable };
}
