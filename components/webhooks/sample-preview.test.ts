import { describe, expect, it } from "vitest";
import type { InputsSchema } from "@/lib/skill-inputs";
import { toMapping } from "./mapping-rows";
import { previewSample } from "./sample-preview";

const schema: InputsSchema = {
  type: "object",
  required: ["title", "priority"],
  properties: {
    title: { type: "string", title: "Title", minLength: 3 },
    priority: { type: "integer", title: "Priority", minimum: 1, maximum: 5 },
    tone: { type: "string", title: "Tone", default: "plain" },
    notes: { type: "string", title: "Notes" },
  },
};
const mapping = toMapping(
  {
    title: { pointer: "/incident/title", defaultText: "" },
    priority: { pointer: "/incident/priority", defaultText: "3" },
  },
  ["title", "priority", "tone", "notes"],
);

describe("previewSample", () => {
  it("says where each input comes from and that a run would start", () => {
    expect(previewSample(schema, mapping, '{"incident":{"title":"Checkout down"}}')).toEqual({
      parsed: true,
      rows: [
        { name: "title", title: "Title", from: "/incident/title", value: '"Checkout down"' },
        {
          name: "priority",
          title: "Priority",
          from: "default (nothing at /incident/priority)",
          value: "3",
        },
        { name: "tone", title: "Tone", from: "the skill's default", value: '"plain"' },
        { name: "notes", title: "Notes", from: "not mapped", value: null },
      ],
      problems: [],
    });
  });

  it("names what the receiver would refuse, in the form's words", () => {
    const preview = previewSample(schema, mapping, '{"incident":{"priority":9}}');
    expect(preview).toMatchObject({
      parsed: true,
      problems: ["Title is required", "Priority must be ≤ 5"],
    });
    expect(preview.parsed && preview.rows[0]).toMatchObject({ from: "nothing at /incident/title" });
  });

  it("says when the sample is not JSON", () => {
    expect(previewSample(schema, mapping, "{nope")).toMatchObject({
      parsed: false,
      error: expect.stringMatching(/^This is not JSON: /),
    });
  });
});
