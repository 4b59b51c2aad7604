/**
 * U+0000, or half of a surrogate pair without the other: JSON may escape either ("\u0000",
 * "\ud800"), but PostgreSQL jsonb refuses both (and text refuses U+0000).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when a string anywhere in the value (keys too) holds a character PostgreSQL cannot store. */
export function holdsUnstorable(value: unknown): boolean {
  if (typeof value === "string") return UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.some(holdsUnstorable);
  if (value && typeof value === "object") return Object.entries(value).some(([key, item]) => UNSTORABLE.test(key) || holdsUnstorable(item));
  return false;
}
