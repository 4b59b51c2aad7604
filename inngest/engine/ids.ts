import { monotonicFactory } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Strictly increasing ULIDs for runs and events received by this engine. */
export const newUlid = monotonicFactory();

function encodeBase32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 8n) | BigInt(byte);
    bits += 8;
  }
  let out = "";
  for (let index = length - 1; index >= 0; index--) {
    out = CROCKFORD[Number((value >> BigInt((length - 1 - index) * 5)) & 31n)] + out;
  }
  return bits >= length * 5 ? out : out.padStart(length, "0");
}

function encodeTime(ms: number): string {
  let out = "";
  let rest = ms;
  for (let index = 0; index < 10; index++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Ids from the SDK's `x-inngest-event-id-seed: <ms>,<base64 10 bytes>`: the event at 1-based
 * position i adds i to the big-endian uint32 in entropy bytes 6..9, so a retried send gets
 * the same ids and dedupes.
 */
export function seededUlids(seedHeader: string | null, count: number): string[] | null {
  if (!seedHeader) return null;
  const [msText, entropyText] = seedHeader.split(",");
  const ms = Number(msText);
  if (!Number.isInteger(ms) || ms < 0 || !entropyText) return null;
  const entropy = Buffer.from(entropyText, "base64");
  if (entropy.length !== 10) return null;
  return Array.from({ length: count }, (_, index) => {
    const bytes = Buffer.from(entropy);
    bytes.writeUInt32BE((bytes.readUInt32BE(6) + index + 1) >>> 0, 6);
    return encodeTime(ms) + encodeBase32(bytes, 16);
  });
}
