import "server-only";
import { isNotNull, sql, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
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
import { resealableDelivery, storedSecretKeyId } from "./schema/run-deliveries";

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

/**
 * A table whose secret columns are sealed together: a row is rewritten only when every one of
 * them opens, and only if it still holds the values read. `candidates` narrows the rows read.
 */
type SealedTable = {
  name: UnreadableSecret["table"];
  table: PgTable;
  id: AnyPgColumn;
  secrets: [AnyPgColumn, ...AnyPgColumn[]];
  candidates?: (keyring: Keyring) => SQL | undefined;
};

/**
 * Deliveries to reseal: those that may still be sent, under another key than the current one (a
 * range either side of it, so run_deliveries_reseal_index skips the rest). Exported for its test.
 */
export const resealCandidates = (keyring: Keyring) => {
  const keyId = storedSecretKeyId(runDeliveries.secret);
  return sql`${resealableDelivery(runDeliveries)} and (${keyId} < ${keyring.current.id} or ${keyId} > ${keyring.current.id})`;
};

const SEALED_TABLES: SealedTable[] = [
  {
    name: "webhooks",
    table: webhooks,
    id: webhooks.id,
    secrets: [webhooks.signingSecret, webhooks.previousSigningSecret],
  },
  {
    name: "mcp_servers",
    table: mcpServers,
    id: mcpServers.id,
    secrets: [mcpServers.authToken],
    candidates: () => isNotNull(mcpServers.authToken),
  },
  {
    // The SMTP password, the Slack URL or the signing secret.
    name: "notification_channels",
    table: notificationChannels,
    id: notificationChannels.id,
    secrets: [notificationChannels.secret],
    candidates: () => isNotNull(notificationChannels.secret),
  },
  {
    // Callbacks' URLs and signing secrets, of deliveries that may still be sent (waiting,
    // pending, failed: a retry sends it). A sent one's secret is read only to answer a repeated
    // start, which leaves the secret out if no key opens it, so history is not rescanned.
    name: "run_deliveries",
    table: runDeliveries,
    id: runDeliveries.id,
    secrets: [runDeliveries.secret],
    candidates: (keyring) => resealCandidates(keyring),
  },
];

async function sealTable(
  db: Database,
  keyring: Keyring,
  spec: SealedTable,
  reseal: (stored: string) => string | null,
  reportUnreadable: (id: string) => void,
): Promise<number> {
  let sealed = 0;
  const rows = await db
    .select({
      id: sql<string>`${spec.id}`,
      stored: sql<(string | null)[]>`array[${sql.join(spec.secrets, sql`, `)}]`,
    })
    .from(spec.table)
    .where(spec.candidates?.(keyring));
  for (const row of rows) {
    const stale = row.stored.map((value) => value !== null && needsSealing(value, keyring));
    if (!stale.includes(true)) continue;
    const next = row.stored.map((value, index) =>
      value !== null && stale[index] ? reseal(value) : value,
    );
    if (next.some((value, index) => value === null && row.stored[index] !== null)) {
      reportUnreadable(row.id);
      continue;
    }
    // Plain SQL, so drizzle's $onUpdate leaves updated_at alone: sealing is no edit (a webhook's
    // replayability reads it). SET takes bare column names, cased as the client's snake_case.
    const updated = await db.execute(sql`
      update ${spec.table}
      set ${sql.join(
        spec.secrets.map(
          (column, index) => sql`${sql.identifier(toSnakeCase(column.name))} = ${next[index]}`,
        ),
        sql`, `,
      )}
      where ${spec.id} = ${row.id} and ${sql.join(
        spec.secrets.map((column, index) => {
          const read = row.stored[index];
          return read === null || read === undefined
            ? sql`${column} is null`
            : sql`${column} = ${read}`;
        }),
        sql` and `,
      )}
      returning 1`);
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

  for (const spec of SEALED_TABLES)
    sealed += await sealTable(db, keyring, spec, reseal, (id) =>
      unreadable.push({ table: spec.name, id, keyId: failedKeyId }),
    );
  return { sealed, unreadable };
}
