import { createHash, randomBytes } from "node:crypto";

/**
 * The format of SKILLRUN_ENCRYPTION_KEY: 32 random bytes (AES-256), written as base64, base64url
 * or hex. No `server-only` here: `server/env-definition.ts` checks the format, and
 * `next.config.ts` loads that in plain Node.
 */
export const ENCRYPTION_KEY_BYTES = 32;

export const ENCRYPTION_KEY_FORMAT =
  "must be 32 random bytes in base64 or hex, e.g. the output of `openssl rand -base64 32`";

/** The key's bytes, or null when the text is not 32 bytes in one of the accepted encodings. */
export function decodeEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)
      ? Buffer.from(
          trimmed.replaceAll("+", "-").replaceAll("/", "_").replace(/=$/, ""),
          "base64url",
        )
      : null;
  return bytes?.length === ENCRYPTION_KEY_BYTES ? bytes : null;
}

/** A fresh key, as the launcher writes it into the data directory. */
export function generateEncryptionKey(): string {
  return randomBytes(ENCRYPTION_KEY_BYTES).toString("base64url");
}

/**
 * A short name for a key, stored beside every value it encrypts so a rotation knows which key
 * opens which value. A hash of the key, too short and too one-way to say anything about it.
 */
export function encryptionKeyId(key: Buffer): string {
  return createHash("sha256")
    .update("skillrun-encryption-key-id:")
    .update(key)
    .digest("base64url")
    .slice(0, 8);
}
