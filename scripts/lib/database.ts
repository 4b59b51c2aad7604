import path from "node:path";
import { createDatabase } from "@/server/db/client";
import type { Keyring } from "@/server/crypto/secrets";
import { migrateDatabase } from "@/server/db/migrate";
import { sealStoredSecrets } from "@/server/db/secrets-at-rest";
import { accountsWithDemoPasswords, seedDemoData } from "@/server/db/seed";
import { env } from "@/server/env";
import { issueOwnerSetupToken } from "@/server/services/access/owner-setup";
import { syncBuiltInSkills } from "@/server/services/catalog/skill-catalog";
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from "./embedded-postgres";

export const APP_DATABASE = "skillrun";
export const SKILLS_DIR = path.resolve(process.cwd(), "skills");

export type DatabaseTarget = { url: string; embedded: EmbeddedPostgresHandle | null };

/**
 * DATABASE_URL when it is set; otherwise the embedded PostgreSQL under the data directory
 * (started here, or reused when a launcher already runs it).
 */
export async function resolveDatabase(options: {
  dataDir?: string;
  reuseRunning: boolean;
  /** Ignore DATABASE_URL: a throwaway run must never touch a configured database. */
  embeddedOnly?: boolean;
}): Promise<DatabaseTarget> {
  if (env.DATABASE_URL && !options.embeddedOnly) return { url: env.DATABASE_URL, embedded: null };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(options.dataDir ?? env.SKILLRUN_DATA_DIR, "postgres"),
    port: env.SKILLRUN_PG_PORT,
    reuseRunning: options.reuseRunning,
  });
  await ensureDatabase(embedded.urlFor("postgres"), APP_DATABASE);
  return { url: embedded.urlFor(APP_DATABASE), embedded };
}

/**
 * Migrations, the built-in catalog and, when `seed` asks for it, the demo data (accounts with
 * published passwords): safe to run on every start. With `keyring` (the launcher's), secrets
 * stored in plain text or under a previous key are encrypted under the current one first
 * (`unreadableSecrets`: those no configured key opens, for a warning). With `ownerSetup`, a database that still
 * has no user gets a fresh one-time token for creating the owner (null once a user exists).
 * `demoPasswords` lists the demo accounts an unseeded start finds still using their published
 * password, for a warning.
 */
export async function prepareDatabase(
  url: string,
  steps: { seed: boolean; ownerSetup?: boolean; keyring?: Keyring },
) {
  await migrateDatabase(url);
  const { db, close } = createDatabase(url, { max: 2 });
  try {
    const unreadableSecrets = steps.keyring
      ? (await sealStoredSecrets(db, steps.keyring)).unreadable
      : [];
    const catalog = await syncBuiltInSkills(db, SKILLS_DIR);
    const seeded = steps.seed ? await seedDemoData(db) : { created: false };
    const ownerSetup = steps.ownerSetup ? await issueOwnerSetupToken(db) : null;
    const demoPasswords = steps.seed ? [] : await accountsWithDemoPasswords(db);
    return { catalog, seeded, ownerSetup, demoPasswords, unreadableSecrets };
  } finally {
    await close();
  }
}
