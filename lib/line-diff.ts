import { diffLines } from "diff";

export type DiffLineKind = "added" | "removed" | "same";

/** One line of a unified diff, with its number in the text it comes from (both for a kept line). */
export type DiffLine = {
  kind: DiffLineKind;
  text: string;
  before: number | null;
  after: number | null;
};

/** A line diff of `before` → `after`, numbered; a final newline makes no line of its own. */
export function lineDiff(before: string, after: string): DiffLine[] {
  let beforeLine = 0;
  let afterLine = 0;
  return diffLines(before, after).flatMap((part) =>
    part.value
      .replace(/\n$/, "")
      .split("\n")
      .map((text): DiffLine => {
        if (part.added) return { kind: "added", text, before: null, after: ++afterLine };
        if (part.removed) return { kind: "removed", text, before: ++beforeLine, after: null };
        return { kind: "same", text, before: ++beforeLine, after: ++afterLine };
      }),
  );
}

/** How many lines were taken out and put in. */
export function diffCounts(lines: DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((line) => line.kind === "added").length,
    removed: lines.filter((line) => line.kind === "removed").length,
  };
}
