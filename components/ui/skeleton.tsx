import type { ComponentProps } from "react";
import { cn } from "./cn";

/** A placeholder while something loads; `data-slot` lets tests wait until none is left. */
export function Skeleton({ className, ...props }: ComponentProps<"div">) {
  return (
    <div
      aria-hidden
      data-slot="skeleton"
      className={cn("bg-muted animate-pulse rounded-md", className)}
      {...props}
    />
  );
}
