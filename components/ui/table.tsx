"use client";

import type { ComponentProps } from "react";
import { cn } from "./cn";
import { ScrollRegion } from "./scroll-region";

/**
 * A table in a box that scrolls sideways when the table is wider than it. While it scrolls, the
 * box is a named, focusable region, so a keyboard user can reach the columns off-screen.
 */
export function Table({ className, ...props }: ComponentProps<"table">) {
  return (
    <ScrollRegion
      label={props["aria-label"]}
      labelledBy={props["aria-labelledby"]}
      className="border-border relative w-full rounded-lg border"
    >
      <table className={cn("w-full caption-bottom text-sm", className)} {...props} />
    </ScrollRegion>
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
