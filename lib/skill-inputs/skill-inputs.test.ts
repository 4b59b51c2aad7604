import path from "node:path";
import { describe, expect, it } from "vitest";
import { createInputsValidator } from "@/server/services/catalog/skill-inputs-schema";
import { loadSkillCatalog } from "@/server/services/catalog/skill-catalog";
import {
  compileSkillInputs,
  fromFormValues,
  inputFieldsOf,
  toFormValues,
  type InputsSchema,
} from ".";

const schema: InputsSchema = {
  type: "object",
  required: ["topic", "day"],
  additionalProperties: false,
  properties: {
    topic: { type: "string", title: "Topic", minLength: 3 },
    notes: { type: "string", "x-skillrun-widget": "textarea" },
    depth: { type: "string", enum: ["brief", "deep"], default: "brief" },
    count: { type: "integer", minimum: 1, maximum: 10 },
    ratio: { type: "number" },
    urgent: { type: "boolean", default: false },
    day: { type: "string", format: "date" },
    at: { type: "string", format: "date-time" },
    tags: { type: "array", items: { type: "string", minLength: 2 }, maxItems: 2 },
  },
};
const validate = compileSkillInputs(schema);

describe("skill inputs", () => {
  it("accepts valid inputs and fills top-level defaults into a copy", () => {
    const inputs = { topic: "Launch", day: "2026-11-24" };
    expect(validate(inputs)).toEqual({
      valid: true,
      value: { topic: "Launch", day: "2026-11-24", depth: "brief", urgent: false },
    });
    expect(inputs).toEqual({ topic: "Launch", day: "2026-11-24" });
  });

  it("names each field with a message an operator can act on", () => {
    const result = validate({
      topic: "ab",
      depth: "huge",
      count: 0.5,
      day: "2026-13-01",
      at: "noon",
      tags: ["ok", "x", "zz"],
      extra: 1,
    });
    expect(result).toEqual({
      valid: false,
      fieldErrors: {
        topic: ["must be at least 3 characters"],
        depth: ['must be one of: "brief", "deep"'],
        count: ["must be a whole number", "must be ≥ 1"],
        day: ["must be a valid date (YYYY-MM-DD)"],
        at: ["must be a valid date and time"],
        tags: ["takes at most 2 items", "item 2 must be at least 2 characters"],
        extra: ["is not an input of this skill"],
      },
    });
    expect(validate({})).toEqual({
      valid: false,
      fieldErrors: { topic: ["is required"], day: ["is required"] },
    });
  });

  it("maps every property to the widget that fits it, in declaration order", () => {
    expect(inputFieldsOf(schema).map((field) => [field.name, field.kind, field.required])).toEqual([
      ["topic", "text", true],
      ["notes", "textarea", false],
      ["depth", "enum", false],
      ["count", "integer", false],
      ["ratio", "number", false],
      ["urgent", "boolean", false],
      ["day", "date", true],
      ["at", "date-time", false],
      ["tags", "string-list", false],
    ]);
  });

  it("refuses inputs the schema does not declare, whatever the schema says about them", () => {
    const open: InputsSchema = { type: "object", properties: { topic: { type: "string" } } };
    expect(compileSkillInputs(open)({ topic: "Launch", extra: 1 })).toEqual({
      valid: false,
      fieldErrors: { extra: ["is not an input of this skill"] },
    });
    expect(
      compileSkillInputs({ ...open, additionalProperties: true })({
        topic: "Launch",
        "to\u0000pic": "x",
      }),
    ).toEqual({ valid: false, fieldErrors: { "to\u0000pic": ["is not an input of this skill"] } });
    expect(compileSkillInputs(open)({ topic: "Launch" })).toEqual({
      valid: true,
      value: { topic: "Launch" },
    });
  });

  it("agrees with the catalog's Ajv validator on every built-in skill (inputs closed, as the shared validator closes them)", async () => {
    const catalog = await loadSkillCatalog(path.join(import.meta.dirname, "../../skills"));
    const ajv = createInputsValidator({ applyDefaults: true });
    const samples: Record<string, unknown>[] = [{}, { x: 1 }];
    for (const skill of catalog) {
      for (const field of inputFieldsOf(skill.inputsSchema)) {
        for (const value of [
          "",
          "a",
          "x".repeat(60),
          3,
          2.5,
          -1,
          true,
          null,
          [],
          ["a"],
          "2026-02-30",
          "2026-11-24",
          "2026-11-24T08:30:00Z",
          ...(field.options ?? []),
        ]) {
          const complete = Object.fromEntries(
            inputFieldsOf(skill.inputsSchema)
              .filter((other) => other.required)
              .map((other) => [other.name, other.options?.[0] ?? "x".repeat(other.minLength ?? 1)]),
          );
          samples.push({ ...complete, [field.name]: value });
        }
      }
      const ours = compileSkillInputs(skill.inputsSchema);
      const theirs = ajv.compile({ ...skill.inputsSchema, additionalProperties: false });
      for (const sample of samples) {
        const copy = structuredClone(sample);
        expect({ skill: skill.slug, sample, valid: ours(sample).valid }).toEqual({
          skill: skill.slug,
          sample,
          valid: theirs(copy),
        });
      }
    }
  });
});

describe("form values", () => {
  const fields = inputFieldsOf(schema);

  it("round-trips inputs through the form's controls", () => {
    const inputs = {
      topic: "Launch",
      depth: "deep",
      count: 3,
      urgent: true,
      day: "2026-11-24",
      at: "2026-11-24T07:30:00.000Z",
      tags: ["a", "bb"],
    };
    expect(fromFormValues(fields, toFormValues(fields, inputs))).toEqual(inputs);
  });

  it("treats empty controls as absent and passes unparseable text on for validation to name", () => {
    const values = { ...toFormValues(fields), topic: "  ", count: "three", tags: "\n \n" };
    const inputs = fromFormValues(fields, values);
    expect(inputs).toEqual({ depth: "brief", urgent: false, count: "three" });
    expect(validate(inputs)).toMatchObject({
      valid: false,
      fieldErrors: { topic: ["is required"], count: ["must be a whole number"] },
    });
  });
});
