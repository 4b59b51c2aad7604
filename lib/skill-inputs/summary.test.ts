import { describe, expect, it } from "vitest";
import { summaryOrderOf, titleInputOf, type InputsSchema } from ".";

const qbr: InputsSchema = {
  type: "object",
  required: ["meetingDate", "customerName"],
  properties: {
    attendees: { type: "array", items: { type: "string" } },
    durationMinutes: { type: "integer" },
    customerName: { type: "string" },
    meetingDate: { type: "string", format: "date" },
    goal: { type: "string" },
  },
};

describe("summaryOrderOf", () => {
  it("puts required inputs first, each group in the order the schema declares them", () => {
    // Declared order, not the order of the `required` list.
    expect(summaryOrderOf(qbr)).toEqual([
      "customerName",
      "meetingDate",
      "attendees",
      "durationMinutes",
      "goal",
    ]);
  });

  it("is the declared order when nothing is required, and empty without properties", () => {
    expect(summaryOrderOf({ ...qbr, required: undefined })).toEqual([
      "attendees",
      "durationMinutes",
      "customerName",
      "meetingDate",
      "goal",
    ]);
    expect(summaryOrderOf({ type: "object" })).toEqual([]);
  });
});

describe("titleInputOf", () => {
  it("is the input x-skillrun-title names, required or not", () => {
    expect(titleInputOf({ ...qbr, "x-skillrun-title": "goal" })).toBe("goal");
  });

  it("falls back to the first required free-text string in declared order", () => {
    expect(titleInputOf(qbr)).toBe("customerName");
  });

  it("skips enums and dates in the fallback: many runs share a choice among a few values, or a day", () => {
    const schema: InputsSchema = {
      type: "object",
      required: ["severity", "day", "title"],
      properties: {
        severity: { type: "string", enum: ["SEV1", "SEV2"] },
        day: { type: "string", format: "date" },
        title: { type: "string" },
      },
    };
    expect(titleInputOf(schema)).toBe("title");
  });

  it("is null when no required input is a free-text string", () => {
    expect(titleInputOf({ ...qbr, required: ["durationMinutes", "meetingDate"] })).toBeNull();
    expect(titleInputOf({ type: "object" })).toBeNull();
  });
});
