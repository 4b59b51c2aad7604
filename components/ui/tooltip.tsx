import type { ReactElement, ReactNode } from "react";
import { cn } from "./cn";

const SIDE = {
  top: "bottom-full left-1/2 mb-1 -translate-x-1/2",
  bottom: "top-full left-1/2 mt-1 -translate-x-1/2",
  left: "right-full top-1/2 mr-1 -translate-y-1/2",
  right: "left-full top-1/2 ml-1 -translate-y-1/2",
} as const;

/**
 * A short explanation shown on hover, and on focus when `children` can take focus: CSS only, no
 * script (a Radix tooltip cost the history page ~10 KB of first-load JavaScript for badges).
 * It is for sighted pointer users: the bubble is hidden from assistive technology, so a caller
 * puts the same text in the page for screen readers (`SrDescription` in runs/run-status.tsx).
 */
export function Tooltip({
  content,
  children,
  side = "top",
}: {
  content: ReactNode;
  children: ReactElement;
  side?: keyof typeof SIDE;
}) {
  return (
    <span className="group/tooltip relative inline-flex max-w-full">
      {children}
      <span
        aria-hidden
        className={cn(
          // Not rendered until shown (display: none), so a bubble near an edge never widens the page.
          "bg-foreground text-background pointer-events-none absolute z-50 hidden w-max max-w-72 rounded-md px-2.5 py-1.5 text-xs leading-snug font-normal whitespace-normal shadow-md",
          "group-focus-within/tooltip:block group-hover/tooltip:block",
          SIDE[side],
        )}
      >
        {content}
      </span>
    </span>
  );
}
