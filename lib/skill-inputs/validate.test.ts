import { describe, expect, it } from "vitest";
import type { InputsSchema } from "./fields";
import { compileSkillInputs } from "./validate";

// Found by validate.property.test.ts: inputs named like Object.prototype members.
describe("compileSkillInputs with inputs named like Object.prototype members", () => {
  const schema: InputsSchema = {
    type: "object",
    required: ["toString"],
    properties: {
      toString: { type: "number", title: "To string", exclusiveMinimum: 0 },
      constructor: { type: "string", title: "Constructor", default: "built" },
    },
  };
  const validate = compileSkillInputs(schema);

  it("reports field errors for them instead of throwing", () => {
    expect(validate({})).toEqual({ valid: false, fieldErrors: { toString: ["is required"] } });
    expect(validate({ toString: 0 })).toEqual({
      valid: false,
      fieldErrors: { toString: ["must be > 0"] },
    });
  });

  it("fills their defaults when they are absent", () => {
    expect(validate({ toString: 1 })).toEqual({
      valid: true,
      value: { toString: 1, constructor: "built" },
    });
    expect(validate({ toString: 1, constructor: "given" })).toEqual({
      valid: true,
      value: { toString: 1, constructor: "given" },
    });
  });
});
