import { describe, expect, it } from "vitest";
import { diffCounts, lineDiff } from "./line-diff";

describe("lineDiff", () => {
  it("marks the one changed line as removed then added, numbered in each text", () => {
    const lines = lineDiff(
      "# Reply\nShipped Monday\nThanks\n",
      "# Reply\nShipped Tuesday\nThanks\n",
    );
    expect(lines).toEqual([
      { kind: "same", text: "# Reply", before: 1, after: 1 },
      { kind: "removed", text: "Shipped Monday", before: 2, after: null },
      { kind: "added", text: "Shipped Tuesday", before: null, after: 2 },
      { kind: "same", text: "Thanks", before: 3, after: 3 },
    ]);
    expect(diffCounts(lines)).toEqual({ added: 1, removed: 1 });
  });

  it("finds nothing changed in equal texts, and all lines added from an empty one", () => {
    expect(diffCounts(lineDiff("a\nb", "a\nb"))).toEqual({ added: 0, removed: 0 });
    expect(lineDiff("", "a\nb").map((line) => [line.kind, line.after])).toEqual([
      ["added", 1],
      ["added", 2],
    ]);
  });
});
