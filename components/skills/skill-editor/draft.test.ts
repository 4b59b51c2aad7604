import { describe, expect, it } from "vitest";
import { parseSchema, slugOf } from "./draft";

describe("slugOf", () => {
  it("derives a slug the slug rule accepts", () => {
    expect(slugOf("Weekly Sales Report!")).toBe("weekly-sales-report");
    expect(slugOf("  --Café  notes 2--")).toBe("cafe-notes-2");
    expect(slugOf("x".repeat(70))).toHaveLength(64);
  });
});

describe("parseSchema", () => {
  it("accepts a JSON object and says why anything else is not one", () => {
    expect(parseSchema('{ "type": "object" }')).toEqual({ schema: { type: "object" } });
    expect(parseSchema("[]")).toEqual({ error: "/: must be a JSON object" });
    expect(parseSchema("{ nope")).toMatchObject({
      error: expect.stringMatching(/^is not valid JSON/),
    });
  });
});
