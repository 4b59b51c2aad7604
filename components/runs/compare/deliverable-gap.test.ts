import { describe, expect, it } from "vitest";
import { deliverableGapNote } from "./deliverable-gap";

const present = { status: "complete" as const, deliverable: "# Done", deliverableExpiredAt: null };
const expired = {
  status: "complete" as const,
  deliverable: null,
  deliverableExpiredAt: new Date("2026-11-01T00:00:00Z"),
};
const failed = { status: "failed" as const, deliverable: null, deliverableExpiredAt: null };

describe("deliverableGapNote", () => {
  it("is null when both runs have their deliverable (the diff shows)", () => {
    expect(deliverableGapNote(present, present)).toBeNull();
  });

  it("says a deliverable expired by retention rather than that the run has none", () => {
    expect(deliverableGapNote(expired, present)).toBe("Run A's deliverable expired by retention.");
    expect(deliverableGapNote(failed, expired)).toBe(
      "Run A has no deliverable (it is failed). Run B's deliverable expired by retention.",
    );
  });

  it("says why a run not complete has none", () => {
    expect(deliverableGapNote(present, failed)).toBe("Run B has no deliverable (it is failed).");
    expect(deliverableGapNote(failed, failed)).toBe("Neither run has a deliverable.");
  });
});
