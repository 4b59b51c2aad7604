import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/server/env";
import { decodeEncryptionKey, encryptionKeyId } from "./encryption-key";
import { ENCRYPTED_SECRET_PREFIX } from "./secret-format";

/**
 * Secrets at rest (MCP auth tokens, webhook signing secrets): AES-256-GCM under
 * SKILLRUN_ENCRYPTION_KEY. A stored value names its format and its key,
 * `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts), so after a rotation the previous
 * key (SKILLRUN_ENCRYPTION_KEY_PREVIOUS) still opens old values until they are re-encrypted
 * (`sealStoredSecrets`, run on every start and by `scripts/rotate-encryption-key.ts`).
 */
export type EncryptionKey = { id: string; bytes: Buffer };
export type Keyring = { current: EncryptionKey; previous: EncryptionKey[] };

const PREFIX = ENCRYPTED_SECRET_PREFIX;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretDecryptionError extends Error {
  readonly code = "secret_unreadable";
}

function keyOf(text: string, name: string): EncryptionKey {
  const bytes = decodeEncryptionKey(text);
  if (!bytes) throw new Error(`${name} is not a valid encryption key.`);
  return { id: encryptionKeyId(bytes), bytes };
}

/** A keyring from key texts: the one that encrypts, and older ones that still decrypt. */
export function keyringOf(current: string, previous: readonly string[] = []): Keyring {
  return {
    current: keyOf(current, "SKILLRUN_ENCRYPTION_KEY"),
    previous: previous.map((text) => keyOf(text, "SKILLRUN_ENCRYPTION_KEY_PREVIOUS")),
  };
}

let appKeyringCache: Keyring | null = null;
/** The app's keys, from the environment (the launcher sets the key when it generated one). */
export function appKeyring(): Keyring {
  if (appKeyringCache) return appKeyringCache;
  if (!env.SKILLRUN_ENCRYPTION_KEY)
    throw new Error(
      "SKILLRUN_ENCRYPTION_KEY is not set: the app cannot read or store secrets (start it with `npm start`, which generates one for localhost, or set it).",
    );
  appKeyringCache = keyringOf(env.SKILLRUN_ENCRYPTION_KEY, env.SKILLRUN_ENCRYPTION_KEY_PREVIOUS);
  return appKeyringCache;
}

export function isEncryptedSecret(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function encryptSecret(plaintext: string, keyring: Keyring = appKeyring()): string {
  const { id, bytes } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", bytes, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return `${PREFIX}${id}:${parts.join(":")}`;
}

/** The id of the key a stored value is encrypted with; null for a value stored before encryption. */
export function keyIdOf(stored: string): string | null {
  return isEncryptedSecret(stored) ? (stored.slice(PREFIX.length).split(":")[0] ?? null) : null;
}

/**
 * The secret a stored value holds. A value without the `enc:` prefix was stored before
 * encryption existed and is answered as it is: the start after an upgrade encrypts every such
 * value (`sealStoredSecrets`), so this only bridges rows written since by hand or by an older
 * process still running.
 */
export function decryptSecret(stored: string, keyring: Keyring = appKeyring()): string {
  if (!isEncryptedSecret(stored)) return stored;
  const [keyId, iv, tag, ciphertext, ...rest] = stored.slice(PREFIX.length).split(":");
  if (keyId === undefined || iv === undefined || tag === undefined || ciphertext === undefined)
    throw new SecretDecryptionError("A stored secret is malformed.");
  if (rest.length) throw new SecretDecryptionError("A stored secret is malformed.");
  const key = [keyring.current, ...keyring.previous].find((candidate) => candidate.id === keyId);
  if (!key)
    throw new SecretDecryptionError(
      `A stored secret is encrypted with a key that is not configured (key id ${keyId}): set it as SKILLRUN_ENCRYPTION_KEY_PREVIOUS.`,
    );
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(
      `A stored secret could not be decrypted with key ${keyId}: it was changed, or the key is not the one that encrypted it.`,
    );
  }
}

/** Whether a stored value should be (re-)encrypted: stored in plain text, or under an older key. */
export function needsSealing(stored: string, keyring: Keyring): boolean {
  return keyIdOf(stored) !== keyring.current.id;
}
