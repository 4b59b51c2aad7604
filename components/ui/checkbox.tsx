import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Checkbox({ className, ...props }: Omit<ComponentProps<"input">, "type">) {
  return <input type="checkbox" className={cn("size-4 rounded border-border accent-primary outline-none focus-visible:ring-2 focus-visible:ring-ring", className)} {...props} />;
}
