import { describe, expect, it } from "vitest";
import { secretHintOf, secretMarker, secretMarkerAfterEdit } from "./secret-summary";

describe("secret summaries", () => {
  it("shows only a secret's last four characters", () => {
    expect(secretHintOf("xoxb-secret-9876")).toBe("9876");
  });

  it.each([
    [{ kept: true, had: true, has: false }, "set"],
    [{ kept: true, had: false, has: false }, "not set"],
    [{ kept: false, had: true, has: true }, "changed"],
    [{ kept: false, had: false, has: true }, "set"],
    [{ kept: false, had: true, has: false }, "not set"],
  ])("after an edit %o the audit log reads %s", (edit, marker) => {
    expect(secretMarkerAfterEdit(edit)).toBe(marker);
  });

  it("says whether one is saved", () => {
    expect([secretMarker(true), secretMarker(false)]).toEqual(["set", "not set"]);
  });
});
