import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** The configured value, else the one generated into the data directory on the first start. */
export async function persistentSecret(
  dataDir: string,
  configured: string | undefined,
  fileName: string,
  generate: () => string,
): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, fileName);
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing?.trim()) return existing.trim();
  const secret = generate();
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/** Where the launcher keeps the encryption key it generated (see server/crypto/secrets.ts). */
export const ENCRYPTION_KEY_FILE = "encryption-key";
