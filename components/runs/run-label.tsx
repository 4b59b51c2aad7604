import { cn } from "@/components/ui/cn";

/** What a run list knows of a run's inputs (see listRuns). */
type LabelledRun = { inputsTitle: string | null; inputsSummary: string };

/**
 * A run's name in a list and the line beneath it: the value of its skill's title input and the
 * other inputs summarised; a run without a title is named by the summary alone.
 */
export function runLabelOf(run: LabelledRun): { main: string; secondary: string | null } {
  if (run.inputsTitle) return { main: run.inputsTitle, secondary: run.inputsSummary || null };
  return { main: run.inputsSummary || "no inputs", secondary: null };
}

const TEXT_SECONDARY_CHARS = 60;

/** The label as one line of plain text, `context` after the name, for places that take no markup (a native select's options). */
export function runLabelText(run: LabelledRun, ...context: string[]): string {
  const { main, secondary } = runLabelOf(run);
  const shortSecondary =
    secondary && secondary.length > TEXT_SECONDARY_CHARS
      ? `${secondary.slice(0, TEXT_SECONDARY_CHARS - 1)}…`
      : secondary;
  return [main, ...context, shortSecondary].filter(Boolean).join(" · ");
}

export function RunLabel({ run, className }: { run: LabelledRun; className?: string }) {
  const { main, secondary } = runLabelOf(run);
  return (
    <span className={cn("flex min-w-0 flex-col leading-tight", className)} data-testid="run-label">
      <span
        className={cn("truncate", run.inputsTitle ? "font-medium" : "text-muted-foreground")}
        title={main}
      >
        {main}
      </span>
      {secondary && (
        <span className="text-muted-foreground truncate text-xs" title={secondary}>
          {secondary}
        </span>
      )}
    </span>
  );
}
