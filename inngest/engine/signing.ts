/**
 * Signed mode, as a self-hosted `inngest start --signing-key … --event-key …` runs it: every
 * request to the app carries `X-Inngest-Signature`, the SDK's calls to the engine carry
 * `Authorization: Bearer <hashed signing key>`, and events are accepted only under the event
 * key. Each scheme is the one `inngest@4.24.x` checks (its `helpers/net.ts`, `helpers/strings.ts`
 * and `RequestSignature`), re-implemented here from reading it.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";

const KEY_PREFIX = /^signkey-\w+-/;
const MIN_SECRET_HEX_DIGITS = 32;

export type SigningKey = {
  /** The HMAC key: the text after `signkey-<env>-` as UTF-8, not hex-decoded (as the SDK verifies). */
  hmacKey: string;
  /** What the SDK sends as `Authorization: Bearer …`: the prefix, then sha256 of the hex-decoded secret. */
  hashed: string;
  /** The key as configured; accepted as a Bearer token too, as the Inngest server does. */
  plain: string;
};

export type EngineKeys = {
  /** Signs requests to the app; the fallback (rotation) is only accepted from the SDK. */
  signing: SigningKey;
  signingFallback?: SigningKey;
  eventKey: string;
};

export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

/**
 * The SDK hashes the secret as hex and signs with its text, so only a hex secret means the
 * same thing on both sides.
 */
export function parseSigningKey(key: string, label = "signing key"): SigningKey {
  const prefix = KEY_PREFIX.exec(key)?.[0] ?? "";
  const secret = key.slice(prefix.length);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(secret) || secret.length < MIN_SECRET_HEX_DIGITS) {
    throw new SigningKeyError(
      `The ${label} must be at least ${MIN_SECRET_HEX_DIGITS} hex digits, optionally after a signkey-<env>- prefix ` +
        `(e.g. signkey-prod-<64 hex digits>, as \`openssl rand -hex 32\` prints).`,
    );
  }
  return {
    hmacKey: secret,
    hashed: prefix + createHash("sha256").update(Buffer.from(secret, "hex")).digest("hex"),
    plain: key,
  };
}

/** RFC 8785 (JCS): the SDK re-canonicalizes the parsed body before checking the MAC. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON form");
  return text;
}

export function signBody(body: string, key: SigningKey, nowMs = Date.now()): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = createHmac("sha256", key.hmacKey).update(body).update(timestamp).digest("hex");
  return `t=${timestamp}&s=${mac}`;
}

function sameSecret(given: string, expected: string): boolean {
  // Digests have one length, so the comparison's time says nothing about either value.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `Authorization: Bearer <hashed or plain key>` for the signing key or its fallback. */
export function bearerAuthorized(header: string | undefined, keys: EngineKeys): boolean {
  const token = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
  if (!token) return false;
  const candidates = [keys.signing, keys.signingFallback].filter(
    (key): key is SigningKey => key !== undefined,
  );
  // Every form of every key is compared, so the answer's timing does not say which one matched.
  return candidates
    .flatMap((key) => [sameSecret(token, key.hashed), sameSecret(token, key.plain)])
    .some(Boolean);
}

export function eventKeyAuthorized(key: string, keys: EngineKeys): boolean {
  return sameSecret(key, keys.eventKey);
}

/**
 * Headers and body of a JSON request from the engine to the app. Unsigned (dev) bodies skip
 * canonicalization: only a signature needs the canonical form.
 */
export function appRequest(
  payload: unknown,
  keys: EngineKeys | undefined,
): { headers: Record<string, string>; body: string } {
  if (!keys)
    return {
      headers: { "content-type": "application/json", "x-inngest-server-kind": "dev" },
      body: JSON.stringify(payload),
    };
  const body = canonicalJson(payload);
  return {
    headers: {
      "content-type": "application/json",
      "x-inngest-server-kind": "cloud",
      "x-inngest-signature": signBody(body, keys.signing),
    },
    body,
  };
}
