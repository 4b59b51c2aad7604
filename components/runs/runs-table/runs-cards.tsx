"use client";

import type { RefObject } from "react";
import { Checkbox } from "@/components/ui/checkbox";
import { cn } from "@/components/ui/cn";
import { RunSource } from "../run-source";
import { costOf, CreatedCell, DurationCell, SkillCell, StatusCell, type RunRow } from "./run-cells";

/**
 * The runs as cards, for screens narrower than the table: status and time, the skill with its
 * inputs, why it failed or waits, and where it came from. Opened and selected like the rows.
 */
export function RunsCards({
  runs,
  busy,
  selected,
  onToggle,
  activeIndex,
  onActivate,
  rowRefs,
  onOpen,
}: {
  runs: RunRow[];
  busy: boolean;
  selected: Record<string, boolean>;
  /** Null: the member cannot select (below operator). */
  onToggle: ((runId: string) => void) | null;
  activeIndex: number;
  onActivate: (index: number) => void;
  rowRefs: RefObject<Map<string, HTMLElement>>;
  onOpen: (runId: string) => void;
}) {
  return (
    <ul aria-label="Runs" aria-busy={busy} className="flex flex-col gap-2">
      {runs.map((run, index) => (
        <li
          key={run.id}
          ref={(element) => {
            if (element) rowRefs.current.set(run.id, element);
            else rowRefs.current.delete(run.id);
          }}
          tabIndex={0}
          data-run-id={run.id}
          onFocus={() => onActivate(index)}
          onClick={(event) => {
            // A link inside (the skill, the source) navigates by itself.
            if (!(event.target instanceof Element && event.target.closest("a"))) onOpen(run.id);
          }}
          onKeyDown={(event) => {
            if (event.key !== "Enter" || event.target !== event.currentTarget) return;
            // Handled here: the page's row keyboard (use-row-keyboard) skips a prevented Enter.
            event.preventDefault();
            onOpen(run.id);
          }}
          className={cn(
            "border-border bg-card focus-visible:ring-ring flex min-w-0 cursor-pointer gap-3 rounded-lg border p-3 text-sm outline-none focus-visible:ring-2",
            selected[run.id] && "bg-primary/5",
            index === activeIndex && "border-primary/40",
          )}
        >
          {onToggle && (
            <Checkbox
              aria-label={`Select run ${run.id}`}
              checked={Boolean(selected[run.id])}
              onChange={() => onToggle(run.id)}
              onClick={(event) => event.stopPropagation()}
              className="mt-1"
            />
          )}
          <div className="flex min-w-0 flex-1 flex-col gap-1.5">
            <div className="flex items-start justify-between gap-2">
              <StatusCell run={run} />
              <span className="text-muted-foreground shrink-0 text-xs">
                <CreatedCell run={run} />
              </span>
            </div>
            <SkillCell run={run} />
            <div className="text-muted-foreground flex items-end justify-between gap-2 text-xs">
              <RunSource source={run.source} invoker={run.invoker} />
              <span className="flex shrink-0 gap-2 tabular-nums">
                <DurationCell run={run} />
                <span>{costOf(run)}</span>
              </span>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
