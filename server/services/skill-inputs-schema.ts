import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** Keywords of ours that a skill's inputs schema may carry as UI hints. */
const UI_KEYWORDS = [
  { keyword: "x-skillrun-widget", metaSchema: { enum: ["textarea"] } },
] as const;

/**
 * One JSON Schema validator for skill inputs: draft 2020-12, strict (unknown keywords are
 * errors, so a typo in a SKILL.md is caught when the catalog loads), with `format` checks.
 */
export function createInputsValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: false });
  addFormats(ajv);
  for (const { keyword, metaSchema } of UI_KEYWORDS) ajv.addKeyword({ keyword, metaSchema });
  return ajv;
}

export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`).join("; ");
}
