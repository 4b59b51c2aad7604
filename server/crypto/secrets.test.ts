import { describe, expect, it } from "vitest";
import { decodeEncryptionKey, generateEncryptionKey } from "./encryption-key";
import {
  decryptSecret,
  encryptSecret,
  keyIdOf,
  keyringOf,
  needsSealing,
  SecretDecryptionError,
} from "./secrets";

const oldKey = generateEncryptionKey();
const newKey = generateEncryptionKey();

describe("the encryption key's format", () => {
  it("takes 32 bytes as base64, base64url or hex, and nothing else", () => {
    const bytes = Buffer.alloc(32, 7);
    for (const text of [
      bytes.toString("base64"),
      bytes.toString("base64url"),
      bytes.toString("hex"),
    ])
      expect(decodeEncryptionKey(text), text).toEqual(bytes);
    for (const text of ["", "short", Buffer.alloc(16).toString("base64"), "z".repeat(64)])
      expect(decodeEncryptionKey(text), text).toBeNull();
  });
});

describe("secrets at rest", () => {
  it("stores a secret self-described and unreadable, and gives it back", () => {
    const keyring = keyringOf(newKey);
    const stored = encryptSecret("whsec_the-secret", keyring);
    expect(stored).toMatch(/^enc:v1:[\w-]{8}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(stored).not.toContain("the-secret");
    expect(encryptSecret("whsec_the-secret", keyring)).not.toBe(stored);
    expect(decryptSecret(stored, keyring)).toBe("whsec_the-secret");
  });

  it("refuses a value that was changed, or a key that is not configured", () => {
    const keyring = keyringOf(newKey);
    const stored = encryptSecret("token", keyring);
    const parts = stored.split(":");
    const ciphertext = Buffer.from(parts[5]!, "base64url");
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[5] = ciphertext.toString("base64url");
    expect(() => decryptSecret(parts.join(":"), keyring)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(stored, keyringOf(oldKey))).toThrow(/not configured/);
    expect(() => decryptSecret("enc:v1:abc", keyring)).toThrow(/malformed/);
  });

  it("after a rotation, the previous key still opens old values, and they need re-encrypting", () => {
    const before = keyringOf(oldKey);
    const after = keyringOf(newKey, [oldKey]);
    const stored = encryptSecret("token", before);
    expect(decryptSecret(stored, after)).toBe("token");
    expect(needsSealing(stored, after)).toBe(true);
    const resealed = encryptSecret(decryptSecret(stored, after), after);
    expect(keyIdOf(resealed)).toBe(after.current.id);
    expect(needsSealing(resealed, after)).toBe(false);
  });

  it("answers a value stored before encryption as it is, and marks it for sealing", () => {
    const keyring = keyringOf(newKey);
    expect(decryptSecret("whsec_legacy", keyring)).toBe("whsec_legacy");
    expect(needsSealing("whsec_legacy", keyring)).toBe(true);
  });

  it("refuses a key of the wrong size", () => {
    expect(() => keyringOf("not-a-key")).toThrow(/SKILLRUN_ENCRYPTION_KEY is not a valid/);
    expect(() => keyringOf(newKey, ["nope"])).toThrow(/SKILLRUN_ENCRYPTION_KEY_PREVIOUS/);
  });
});
