import { describe, expect, it } from "vitest";
import { auditChanges, readAuditChanges } from "./audit-changes";

const labels = { name: "Name", maxSteps: "Max steps", blocked: "Blocked tools", pii: "PII" };

describe("auditChanges", () => {
  it("lists only the fields whose shown value changed, in the labels' order", () => {
    const changes = auditChanges(
      { name: "Ops", maxSteps: 8, blocked: ["a"], pii: "mask" },
      { name: "Ops", maxSteps: 12, blocked: [], pii: "mask" },
      labels,
    );
    expect(changes).toEqual([
      { field: "Max steps", before: "8", after: "12" },
      { field: "Blocked tools", before: "a", after: null },
    ]);
  });

  it("treats a creation and a deletion as every field from or to nothing", () => {
    expect(auditChanges(null, { name: "New", maxSteps: 1 }, labels)).toEqual([
      { field: "Name", before: null, after: "New" },
      { field: "Max steps", before: null, after: "1" },
    ]);
    expect(auditChanges({ pii: "off" }, null, labels)).toEqual([
      { field: "PII", before: "off", after: null },
    ]);
  });

  it("cuts long values", () => {
    const [change] = auditChanges({ name: "a" }, { name: "x".repeat(500) }, labels);
    expect(change?.after).toHaveLength(200);
    expect(change?.after?.endsWith("…")).toBe(true);
  });
});

describe("readAuditChanges", () => {
  it("keeps well-formed changes and ignores anything else", () => {
    expect(
      readAuditChanges({
        changes: [{ field: "Name", before: null, after: "x" }, { field: 3 }, "junk"],
      }),
    ).toEqual([{ field: "Name", before: null, after: "x" }]);
    expect(readAuditChanges({})).toEqual([]);
  });
});
