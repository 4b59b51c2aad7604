import "server-only";

/**
 * U+0000, or half of a surrogate pair without the other: JSON may escape either ("\u0000",
 * "\ud800"), but PostgreSQL jsonb refuses both (and text refuses U+0000).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/** What a request that carries such a character is told (REST, tRPC and the run services say the same). */
export const UNSTORABLE_MESSAGE =
  "holds the character U+0000 (\\u0000) or an unpaired surrogate (such as \\ud800), which cannot be stored; remove it.";

/** True when a string anywhere in the value (keys too) holds a character PostgreSQL cannot store. */
export function holdsUnstorable(value: unknown): boolean {
  if (typeof value === "string") return UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorable);
  if (value && typeof value === "object")
    return Object.entries(value).some(
      ([key, item]) => UNSTORABLE.test(key) || holdsUnstorable(item),
    );
  return false;
}

/**
 * Text the server writes itself (a failure reason built from an error message): characters
 * PostgreSQL refuses become U+FFFD, and past `maxChars` it is cut with an ellipsis, never
 * between the halves of a surrogate pair.
 */
export function storableText(text: string, maxChars: number): string {
  const clean = text.replace(UNSTORABLE_ALL, "\ufffd");
  if (clean.length <= maxChars) return clean;
  let cut = clean.slice(0, maxChars - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
