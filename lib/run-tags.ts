/**
 * Run tags: `key:value` strings an operator, a REST client, a schedule or a webhook puts on a
 * run to find it again. Kept free of zod: the history's filter bar imports it.
 *
 * A key is lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit; a
 * value is any printable text without a comma (the URL's list separator) or leading/trailing
 * spaces. Tags are case-sensitive in their value and a run holds each at most once.
 */

export const MAX_TAGS_PER_RUN = 20;
export const MAX_TAG_KEY_CHARS = 40;
export const MAX_TAG_VALUE_CHARS = 100;
/** The history filters by at most this many tags at once (all of them must match). */
export const MAX_FILTER_TAGS = 5;

const TAG_KEY = /^[a-z0-9][a-z0-9_.-]*$/;
// Control characters and commas; a value is what a person reads in a chip.
const FORBIDDEN_IN_VALUE = /[\u0000-\u001f\u007f,]/;

/** Why `tag` is not a tag, in words for a field error; null when it is one. */
export function tagProblem(tag: string): string | null {
  const colon = tag.indexOf(":");
  if (colon < 0) return `"${preview(tag)}" is not key:value`;
  const key = tag.slice(0, colon);
  const value = tag.slice(colon + 1);
  if (!key) return `"${preview(tag)}" has no key before the colon`;
  if (key.length > MAX_TAG_KEY_CHARS)
    return `"${preview(tag)}": the key is over ${MAX_TAG_KEY_CHARS} characters`;
  if (!TAG_KEY.test(key))
    return `"${preview(tag)}": a key is lowercase letters, digits, _ . and -, starting with a letter or digit`;
  if (!value) return `"${preview(tag)}" has no value after the colon`;
  if (value.length > MAX_TAG_VALUE_CHARS)
    return `"${preview(tag)}": the value is over ${MAX_TAG_VALUE_CHARS} characters`;
  if (value.trim() !== value) return `"${preview(tag)}": the value starts or ends with a space`;
  if (FORBIDDEN_IN_VALUE.test(value))
    return `"${preview(tag)}": the value holds a comma or a control character`;
  return null;
}

function preview(tag: string): string {
  return tag.length > 30 ? `${tag.slice(0, 29)}…` : tag;
}

/** The tags once each, in the order first given. */
export const uniqueTags = (tags: readonly string[]): string[] => [...new Set(tags)];

/**
 * A value read from a webhook payload as a tag value, or null when it cannot be one: text,
 * numbers and booleans, whitespace runs made one space, commas and control characters dropped,
 * cut to the longest value. A payload never refuses a run for a tag it cannot carry.
 */
export function tagValueFromPayload(found: unknown): string | null {
  if (typeof found !== "string" && typeof found !== "number" && typeof found !== "boolean")
    return null;
  const value = String(found)
    .replace(/[\u0000-\u001f\u007f,]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_TAG_VALUE_CHARS)
    .trim();
  return value || null;
}

/** `a:b, c:d` as typed into a field → the tags, blanks left out. */
export const parseTagList = (text: string): string[] =>
  uniqueTags(
    text
      .split(/[,\n]/)
      .map((tag) => tag.trim())
      .filter(Boolean),
  );
