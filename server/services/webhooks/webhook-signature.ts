import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "skillrun-signature";
export const DELIVERY_ID_HEADER = "skillrun-delivery-id";
/** How far a signature's timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** `whsec_` + 32 random bytes; the whole string is the HMAC key. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function hmacDigest(secret: string, timestamp: number, body: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

/** The `Skillrun-Signature` value for a body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signWebhookBody(
  secret: string,
  body: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return `t=${timestamp},v1=${hmacDigest(secret, timestamp, bytes).toString("hex")}`;
}

export type SignatureCheck =
  | {
      verdict: "valid";
      /**
       * Hex SHA-256 of the signed content, `<t>.<body>`: what every valid signature of this request
       * shares, however many secrets signed it and whichever `v1` values a copy keeps. A replay
       * of the request has the same one; a new delivery, even of the same body, signs a new `t`.
       */
      signedContentDigest: string;
    }
  | { verdict: "bad_signature" }
  | { verdict: "stale_timestamp" };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks a `Skillrun-Signature` header against every secret currently valid for the webhook
 * (during a rotation: the new one and the old one). Several `v1` values are allowed so a sender
 * can sign with both secrets while it switches. Digests are compared in constant time.
 * A correct signature with a timestamp outside the tolerance is `stale_timestamp`; anything
 * else that does not verify (missing, malformed, wrong secret) is `bad_signature`.
 */
export function verifyWebhookSignature(input: {
  header: string | null;
  body: Uint8Array;
  secrets: string[];
  nowSeconds: number;
}): SignatureCheck {
  if (!input.header || input.secrets.length === 0) return { verdict: "bad_signature" };
  let timestamp: number | null = null;
  const candidates: Buffer[] = [];
  for (const part of input.header.split(",")) {
    const separator = part.indexOf("=");
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && HEX_SHA256.test(value)) candidates.push(Buffer.from(value, "hex"));
  }
  if (timestamp === null || candidates.length === 0) return { verdict: "bad_signature" };
  const expected = input.secrets.map((secret) => hmacDigest(secret, timestamp, input.body));
  // Every pair is compared, so the time taken says nothing about which one matched.
  let matched = false;
  for (const candidate of candidates)
    for (const digest of expected) if (timingSafeEqual(candidate, digest)) matched = true;
  if (!matched) return { verdict: "bad_signature" };
  if (Math.abs(input.nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    return { verdict: "stale_timestamp" };
  // Not the digest that matched: during a rotation a request signed with both secrets, re-sent
  // with only the other `v1`, would match another digest and look like a new request.
  const signedContentDigest = createHash("sha256")
    .update(`${timestamp}.`)
    .update(input.body)
    .digest("hex");
  return { verdict: "valid", signedContentDigest };
}
