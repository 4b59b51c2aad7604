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
export function createInputsValidator(options: { applyDefaults?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: options.applyDefaults ?? false });
  addFormats(ajv);
  for (const { keyword, metaSchema } of UI_KEYWORDS) ajv.addKeyword({ keyword, metaSchema });
  return ajv;
}

/** Ajv errors as messages per input name ("" for the object as a whole). */
export function fieldErrorsOf(errors: ErrorObject[] | null | undefined): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors ?? []) {
    const missing = error.keyword === "required" ? (error.params as { missingProperty?: string }).missingProperty : undefined;
    const field = missing ?? error.instancePath.split("/")[1] ?? "";
    const message = missing ? "is required" : (error.message ?? "is invalid");
    (fields[field] ??= []).push(message);
  }
  return fields;
}
