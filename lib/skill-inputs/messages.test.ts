import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSkillCatalog } from "@/server/services/catalog/skill-catalog";
import { compileSkillInputs, fieldErrorLine, fieldErrorText, type InputsSchema } from ".";

const schema: InputsSchema = {
  type: "object",
  properties: {
    version: {
      type: "string",
      title: "Version",
      pattern: "^\\d+\\.\\d+\\.\\d+$",
      "x-skillrun-error": "Use a version like 2.4.0",
    },
    ticket: { type: "string", title: "Ticket", pattern: "^[A-Z]+-\\d+$" },
    contact: {
      type: "string",
      title: "Contact",
      format: "email",
      "x-skillrun-error": "must be an email address like ada@example.com",
    },
    tags: {
      type: "array",
      title: "Tags",
      items: { type: "string", pattern: "^#", "x-skillrun-error": "Start each tag with #" },
      uniqueItems: true,
    },
    size: { type: "integer", title: "Size", multipleOf: 5 },
    mode: { type: "string", title: "Mode", const: "fast" },
  },
};
const validate = compileSkillInputs(schema);

describe("input error messages never show a regular expression or the validator's wording", () => {
  it("uses the property's x-skillrun-error, else a message naming the input's title", () => {
    expect(
      validate({
        version: "two",
        ticket: "abc",
        contact: "nobody",
        tags: ["#ok", "bad", "#ok"],
        size: 7,
        mode: "slow",
      }),
    ).toEqual({
      valid: false,
      fieldErrors: {
        version: ["Use a version like 2.4.0"],
        ticket: ["Doesn't match the expected format for Ticket"],
        contact: ["must be an email address like ada@example.com"],
        tags: ["item 2: Start each tag with #", "must not list the same item twice"],
        size: ["must be a multiple of 5"],
        mode: ['must be "fast"'],
      },
    });
  });

  it("puts a predicate after the title and lets a sentence stand alone", () => {
    expect(fieldErrorText("Topic", "is required")).toBe("Topic is required");
    expect(fieldErrorText("Version", "Use a version like 2.4.0")).toBe("Use a version like 2.4.0");
    expect(fieldErrorLine("version", "Use a version like 2.4.0")).toBe(
      "version: Use a version like 2.4.0",
    );
    expect(fieldErrorLine("topic", "is required")).toBe("topic is required");
  });

  it("gives every built-in skill's pattern a message of its own", async () => {
    const catalog = await loadSkillCatalog(path.join(import.meta.dirname, "../../skills"));
    const release = catalog.find((skill) => skill.slug === "release-notes");
    const result = compileSkillInputs(release?.inputsSchema ?? {})({
      product: "Skillrun",
      version: "next week",
      changes: "Fixed the ledger",
    });
    expect(result).toEqual({
      valid: false,
      fieldErrors: { version: ["Use a version like 2.4.0"] },
    });
    for (const skill of catalog)
      for (const [name, property] of Object.entries(skill.inputsSchema.properties ?? {}))
        if (property.pattern)
          expect({ skill: skill.slug, name, message: property["x-skillrun-error"] }).toEqual({
            skill: skill.slug,
            name,
            message: expect.any(String),
          });
  });
});
