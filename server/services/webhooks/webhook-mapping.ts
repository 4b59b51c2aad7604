import "server-only";
import { pointerSegments } from "@hyperjump/json-pointer";
import { mapPayloadToInputs } from "@/lib/webhooks/payload-mapping";
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

/** Field errors of a tag mapping, keyed `tagMapping.<key>`: a pointer that is not RFC 6901. */
export function checkTagMapping(mapping: Record<string, string>): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const [key, pointer] of Object.entries(mapping))
    if (!isValidPointer(pointer))
      errors[`tagMapping.${key}`] = ['is not a JSON Pointer (write it like "/customer/name")'];
  return errors;
}

export { mapPayloadToInputs };
