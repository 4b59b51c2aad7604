import "server-only";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * Keywords of ours that a skill's inputs schema may carry as UI hints. Ajv checks only their
 * values; where they may stand (and what a title may name) the catalog loader checks.
 */
const UI_KEYWORDS = [
  { keyword: "x-skillrun-widget", metaSchema: { enum: ["textarea"] } },
  { keyword: "x-skillrun-title", metaSchema: { type: "string", minLength: 1 } },
  { keyword: "x-skillrun-error", metaSchema: { type: "string", minLength: 1 } },
] as const;

/**
 * The catalog's strict check of a skill's inputs schema: draft 2020-12, strict (unknown
 * keywords are errors, so a typo in a SKILL.md is caught when the catalog loads), with
 * `format` checks. Inputs themselves are validated by `lib/skill-inputs`, shared with the browser.
 */
export function createInputsValidator(options: { applyDefaults?: boolean } = {}) {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    useDefaults: options.applyDefaults ?? false,
  });
  addFormats(ajv);
  for (const { keyword, metaSchema } of UI_KEYWORDS) ajv.addKeyword({ keyword, metaSchema });
  return ajv;
}
