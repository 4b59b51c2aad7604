import type { ComponentProps } from "react";
import { cn } from "./cn";

export function Checkbox({ className, ...props }: Omit<ComponentProps<"input">, "type">) {
  return (
    <input
      type="checkbox"
      className={cn(
        "border-border accent-primary focus-visible:ring-ring size-4 rounded outline-none focus-visible:ring-2",
        className,
      )}
      {...props}
    />
  );
}
