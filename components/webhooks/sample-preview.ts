import type { WebhookInputMapping } from "@/lib/schemas/webhooks";
import {
  compileSkillInputs,
  fieldErrorText,
  inputFieldsOf,
  type InputsSchema,
} from "@/lib/skill-inputs";
import { mapPayloadToInputs } from "@/lib/webhooks/payload-mapping";

/** Where one input's value comes from for a sample payload, in words. */
export type SampleInputRow = { name: string; title: string; from: string; value: string | null };

export type SamplePreview =
  { parsed: false; error: string } | { parsed: true; rows: SampleInputRow[]; problems: string[] };

const MAX_VALUE_CHARS = 80;
const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
};

/**
 * What a delivery of this sample would start: each input's value and where it came from, and
 * the problems the receiver would answer 422 with (the same mapping and the same validator).
 */
export function previewSample(
  schema: InputsSchema,
  mapping: WebhookInputMapping,
  sampleText: string,
): SamplePreview {
  let payload: unknown;
  try {
    payload = JSON.parse(sampleText) as unknown;
  } catch (error) {
    return {
      parsed: false,
      error: `This is not JSON: ${error instanceof Error ? error.message : "it cannot be read"}`,
    };
  }
  const { inputs } = mapPayloadToInputs(mapping, payload);
  const validation = compileSkillInputs(schema)(inputs);
  const resolved = validation.valid ? validation.value : inputs;
  const fields = inputFieldsOf(schema);
  const rows = fields.map(({ name, title }): SampleInputRow => {
    const rule = mapping[name];
    const pointer = rule?.pointer;
    const value = Object.hasOwn(resolved, name) ? shown(resolved[name]) : null;
    if (pointer) {
      const found = Object.hasOwn(
        mapPayloadToInputs({ [name]: { pointer } }, payload).inputs,
        name,
      );
      if (found) return { name, title, from: pointer, value };
      if (rule.default !== undefined)
        return { name, title, from: `default (nothing at ${pointer})`, value };
      return { name, title, from: `nothing at ${pointer}`, value };
    }
    if (rule?.default !== undefined) return { name, title, from: "default", value };
    return { name, title, from: value === null ? "not mapped" : "the skill's default", value };
  });
  const titleOf = (name: string) => fields.find((field) => field.name === name)?.title ?? name;
  const problems = validation.valid
    ? []
    : Object.entries(validation.fieldErrors).flatMap(([name, messages]) =>
        messages.map((message) => fieldErrorText(titleOf(name), message)),
      );
  return { parsed: true, rows, problems };
}
