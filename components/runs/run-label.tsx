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

/**
 * The label as two lines, or with `inline` as one (the name, then the rest cut short), for a
 * line under another name such as the skill's.
 */
export function RunLabel({
  run,
  className,
  inline = false,
}: {
  run: LabelledRun;
  className?: string;
  inline?: boolean;
}) {
  const { main, secondary } = runLabelOf(run);
  return (
    <span
      className={cn(
        "flex min-w-0 leading-tight",
        inline ? "items-baseline gap-1.5 text-xs" : "flex-col",
        className,
      )}
      data-testid="run-label"
    >
      <span
        className={cn(
          "truncate",
          inline && secondary && "max-w-[60%] shrink-0",
          run.inputsTitle ? "font-medium" : "text-muted-foreground",
        )}
        title={main}
      >
        {main}
      </span>
      {secondary && (
        <span
          className={cn(
            "text-muted-foreground truncate",
            inline ? "min-w-0 before:mr-1.5 before:content-['·']" : "text-xs",
          )}
          title={secondary}
        >
          {secondary}
        </span>
      )}
    </span>
  );
}
