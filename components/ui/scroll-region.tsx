"use client";

import { useRef, type ReactNode } from "react";
import { cn } from "./cn";
import { useScrollsSideways } from "./use-scrolls-sideways";

/**
 * A box that scrolls sideways when its content is wider than it, never the page. While it
 * scrolls it is a named, focusable region, so a keyboard user can reach what is off-screen.
 */
export function ScrollRegion({
  label,
  labelledBy,
  className,
  children,
}: {
  label?: string;
  labelledBy?: string;
  className?: string;
  children: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const scrolls = useScrollsSideways(scroller);
  return (
    <div
      ref={scroller}
      role={scrolls ? "region" : undefined}
      aria-label={scrolls ? label : undefined}
      aria-labelledby={scrolls ? labelledBy : undefined}
      tabIndex={scrolls ? 0 : undefined}
      className={cn(
        "focus-visible:ring-ring overflow-x-auto rounded-sm outline-none focus-visible:ring-2",
        className,
      )}
    >
      {children}
    </div>
  );
}
