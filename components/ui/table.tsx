"use client";

import { useRef, type ComponentProps } from "react";
import { cn } from "./cn";
import { useScrollsSideways } from "./use-scrolls-sideways";

/**
 * A table in a box that scrolls sideways when the table is wider than it. While it scrolls, the
 * box is a named, focusable region, so a keyboard user can reach the columns off-screen.
 */
export function Table({ className, ...props }: ComponentProps<"table">) {
  const scroller = useRef<HTMLDivElement>(null);
  const scrolls = useScrollsSideways(scroller);
  return (
    <div
      ref={scroller}
      role={scrolls ? "region" : undefined}
      aria-label={scrolls ? props["aria-label"] : undefined}
      aria-labelledby={scrolls ? props["aria-labelledby"] : undefined}
      tabIndex={scrolls ? 0 : undefined}
      className="border-border focus-visible:ring-ring relative w-full overflow-x-auto rounded-lg border outline-none focus-visible:ring-2"
    >
      <table className={cn("w-full caption-bottom text-sm", className)} {...props} />
    </div>
  );
}

export function TableHeader({ className, ...props }: ComponentProps<"thead">) {
  return <thead className={cn("bg-muted/50 [&_tr]:border-b", className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<"tbody">) {
  return <tbody className={cn("[&_tr:last-child]:border-0", className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<"tr">) {
  return (
    <tr
      className={cn(
        "border-border data-[state=selected]:bg-primary/5 border-b transition-colors",
        className,
      )}
      {...props}
    />
  );
}

export function TableHead({ className, ...props }: ComponentProps<"th">) {
  return (
    <th
      className={cn(
        "text-muted-foreground h-9 px-3 text-left align-middle text-xs font-medium whitespace-nowrap",
        className,
      )}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentProps<"td">) {
  return <td className={cn("px-3 py-2 align-middle", className)} {...props} />;
}
