import { get as getPointer, type Json } from "@hyperjump/json-pointer";
import type { WebhookInputMapping, WebhookTagMapping } from "@/lib/schemas/webhooks";
import { tagValueFromPayload } from "@/lib/run-tags";

/** The value at `pointer`, or undefined when the payload has nothing there (own properties only). */
function valueAt(pointer: string, payload: unknown): unknown {
  try {
    return getPointer(pointer, payload as Json);
  } catch {
    return undefined;
  }
}

/**
 * The skill inputs a payload maps to: each mapped input's pointer, else its literal default.
 * Inputs that find nothing are left out, so the skill's own defaults and required checks
 * apply; `unresolved` names their pointers for the error message. The receiver maps each
 * delivery with it, and the webhook form previews a pasted sample with it.
 */
export function mapPayloadToInputs(
  mapping: WebhookInputMapping,
  payload: unknown,
): { inputs: Record<string, unknown>; unresolved: Record<string, string> } {
  const inputs: Record<string, unknown> = {};
  const unresolved: Record<string, string> = {};
  for (const [name, rule] of Object.entries(mapping)) {
    const found = rule.pointer === undefined ? undefined : valueAt(rule.pointer, payload);
    if (found !== undefined) inputs[name] = found;
    else if (rule.default !== undefined) inputs[name] = rule.default;
    else if (rule.pointer !== undefined) unresolved[name] = rule.pointer;
  }
  return { inputs, unresolved };
}

/**
 * The tags a payload maps to: `key:<value at the key's pointer>` for each mapped key whose
 * value can be a tag's (text, a number or a boolean, made one line and cut to length); keys
 * that find nothing usable are left out rather than refusing the run.
 */
export function mapPayloadToTags(mapping: WebhookTagMapping, payload: unknown): string[] {
  return Object.entries(mapping).flatMap(([key, pointer]) => {
    const value = tagValueFromPayload(valueAt(pointer, payload));
    return value === null ? [] : [`${key}:${value}`];
  });
}
