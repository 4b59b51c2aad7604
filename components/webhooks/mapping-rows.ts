import type { WebhookInputMapping } from "@/lib/schemas/webhooks";

/** One mapping row as typed in the webhook form: a pointer, and a default written as JSON (or plain text). */
export type MappingRow = { pointer: string; defaultText: string };

export const toRows = (mapping: WebhookInputMapping): Record<string, MappingRow> =>
  Object.fromEntries(
    Object.entries(mapping).map(([name, rule]) => [
      name,
      {
        pointer: rule.pointer ?? "",
        defaultText:
          rule.default === undefined
            ? ""
            : typeof rule.default === "string"
              ? rule.default
              : JSON.stringify(rule.default),
      },
    ]),
  );

/** A default typed as `3`, `true` or `["a"]` is that JSON value; anything else is the text itself. */
function parseDefault(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The mapping of the skill's current inputs only: rows left from another skill (or a dropped input) go. */
export function toMapping(
  rows: Partial<Record<string, Partial<MappingRow>>>,
  inputNames: string[],
): WebhookInputMapping {
  const mapping: WebhookInputMapping = {};
  for (const name of inputNames) {
    const row = rows[name];
    if (!row) continue;
    const pointer = (row.pointer ?? "").trim();
    const fallback = parseDefault(row.defaultText ?? "");
    if (pointer || fallback !== undefined)
      mapping[name] = {
        ...(pointer ? { pointer } : {}),
        ...(fallback !== undefined ? { default: fallback } : {}),
      };
  }
  return mapping;
}
