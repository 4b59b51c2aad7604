import "server-only";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { encryptSecret, needsSealing, decryptSecret, type Keyring } from "@/server/crypto/secrets";
import type { Database } from "./client";
import { mcpServers, webhooks } from "./schema";

/**
 * Brings every stored secret under the current key: values from before encryption existed are
 * encrypted, values under a previous key re-encrypted. Runs on every start (after migrations)
 * and from `scripts/rotate-encryption-key.ts`; a database already sealed costs two small scans.
 * Each row is updated only if it still holds the value read, so a secret rotated meanwhile is
 * left to its writer.
 */
export async function sealStoredSecrets(
  db: Database,
  keyring: Keyring,
): Promise<{ sealed: number }> {
  let sealed = 0;
  const reseal = (stored: string) => encryptSecret(decryptSecret(stored, keyring), keyring);

  const servers = await db
    .select({ id: mcpServers.id, authToken: mcpServers.authToken })
    .from(mcpServers)
    .where(isNotNull(mcpServers.authToken));
  for (const server of servers) {
    if (!server.authToken || !needsSealing(server.authToken, keyring)) continue;
    const updated = await db
      .update(mcpServers)
      // Sealing is no edit: updated_at stays (a webhook's replayability reads it).
      .set({ authToken: reseal(server.authToken), updatedAt: sql`${mcpServers.updatedAt}` })
      .where(and(eq(mcpServers.id, server.id), eq(mcpServers.authToken, server.authToken)))
      .returning({ id: mcpServers.id });
    sealed += updated.length;
  }

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
    const updated = await db
      .update(webhooks)
      .set({
        ...(current ? { signingSecret: reseal(hook.signingSecret) } : {}),
        ...(previous && hook.previousSigningSecret
          ? { previousSigningSecret: reseal(hook.previousSigningSecret) }
          : {}),
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
  return { sealed };
}
