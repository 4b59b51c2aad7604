import type { ComponentProps } from "react";
import { cn } from "./cn";

/** The native select: keyboard, screen readers and mobile pickers work without help. */
export function Select({ className, ...props }: ComponentProps<"select">) {
  return (
    <select
      className={cn(
        "border-border bg-background focus-visible:ring-ring aria-invalid:border-destructive flex h-9 w-full rounded-md border px-2.5 py-1 text-sm shadow-xs outline-none focus-visible:ring-2 disabled:opacity-50",
        className,
      )}
      {...props}
    />
  );
}
