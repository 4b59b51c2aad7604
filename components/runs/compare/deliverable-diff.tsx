import { plural } from "@/components/plural";
import { cn } from "@/components/ui/cn";
import { diffCounts, lineDiff, type DiffLineKind } from "@/lib/line-diff";

const MARK: Record<DiffLineKind, string> = { added: "+", removed: "−", same: " " };
const SPOKEN: Record<DiffLineKind, string> = { added: "Added: ", removed: "Removed: ", same: "" };

/**
 * The deliverables as one line diff from run A to run B. A changed line is told apart by its
 * sign (− / +, read out as "Removed" / "Added") and its line numbers, not by its colour alone.
 */
export function DeliverableDiff({ before, after }: { before: string; after: string }) {
  const lines = lineDiff(before, after);
  const { added, removed } = diffCounts(lines);
  if (added + removed === 0)
    return (
      <p className="text-muted-foreground text-sm" data-testid="deliverable-diff-summary">
        The deliverables are identical.
      </p>
    );
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm" data-testid="deliverable-diff-summary">
        {plural(removed, "line")} removed, {plural(added, "line")} added (from A to B).
      </p>
      <div
        role="region"
        aria-label="Deliverable diff"
        tabIndex={0}
        className="border-border focus-visible:ring-ring max-h-[32rem] overflow-auto rounded-md border outline-none focus-visible:ring-2"
      >
        <table className="w-full border-collapse font-mono text-xs leading-5">
          <thead className="sr-only">
            <tr>
              <th scope="col">Line in A</th>
              <th scope="col">Line in B</th>
              <th scope="col">Change</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line, index) => (
              <tr
                key={index}
                data-change={line.kind}
                className={cn(
                  line.kind === "added" && "bg-success-muted",
                  line.kind === "removed" && "bg-destructive-muted",
                )}
              >
                <td className="text-muted-foreground w-10 px-2 text-right align-top select-none">
                  {line.before ?? ""}
                </td>
                <td className="text-muted-foreground w-10 px-2 text-right align-top select-none">
                  {line.after ?? ""}
                </td>
                <td
                  className={cn(
                    "w-5 px-1 text-center align-top font-bold select-none",
                    line.kind === "added" && "text-success",
                    line.kind === "removed" && "text-destructive",
                  )}
                >
                  <span aria-hidden>{MARK[line.kind]}</span>
                </td>
                <td className="px-2 break-words whitespace-pre-wrap">
                  <span className="sr-only">{SPOKEN[line.kind]}</span>
                  {line.text || " "}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
