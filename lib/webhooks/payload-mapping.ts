import { get as getPointer, type Json } from "@hyperjump/json-pointer";
import type { WebhookInputMapping } from "@/lib/schemas/webhooks";

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
