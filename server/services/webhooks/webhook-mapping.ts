import "server-only";
import { get as getPointer, pointerSegments } from "@hyperjump/json-pointer";
import type { Json } from "@hyperjump/json-pointer";
import { inputFieldsOf, type InputsSchema } from "@/lib/skill-inputs";
import type { WebhookInputMapping } from "@/server/db/schema/webhooks";

export type { WebhookInputMapping };

function isValidPointer(pointer: string): boolean {
  try {
    for (const segment of pointerSegments(pointer)) void segment;
    return true;
  } catch {
    return false;
  }
}

/** The value at `pointer`, or undefined when the payload has nothing there (own properties only). */
function valueAt(pointer: string, payload: unknown): unknown {
  try {
    return getPointer(pointer, payload as Json);
  } catch {
    return undefined;
  }
}

/**
 * Field errors of a mapping against the skill's inputs, keyed `inputMapping.<input>`: an input
 * the skill does not have, a pointer that is not RFC 6901, a required input with neither a
 * pointer, a literal default nor a schema default.
 */
export function checkInputMapping(
  mapping: WebhookInputMapping,
  schema: InputsSchema,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const fields = inputFieldsOf(schema);
  const known = new Set(fields.map((field) => field.name));
  for (const [name, rule] of Object.entries(mapping)) {
    if (!known.has(name))
      (errors[`inputMapping.${name}`] ??= []).push("is not an input of this skill");
    else if (rule.pointer !== undefined && !isValidPointer(rule.pointer)) {
      (errors[`inputMapping.${name}`] ??= []).push(
        'is not a JSON Pointer (write it like "/issue/title")',
      );
    }
  }
  for (const field of fields) {
    const rule = mapping[field.name];
    if (
      field.required &&
      field.default === undefined &&
      rule?.pointer === undefined &&
      rule?.default === undefined
    ) {
      (errors[`inputMapping.${field.name}`] ??= []).push(
        "is required by the skill: map it from the payload or give a default",
      );
    }
  }
  return errors;
}

/**
 * The skill inputs a payload maps to: each mapped input's pointer, else its literal default.
 * Inputs that find nothing are left out, so the skill's own defaults and required checks
 * apply; `unresolved` names their pointers for the error message.
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
