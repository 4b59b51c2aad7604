import type { ReactNode } from "react";
import { Label } from "@/components/ui/label";

/** One control of a filter bar, with a small label above it; `id` is the control's id. */
export function FilterField({
  id,
  label,
  children,
}: {
  id: string;
  label: string;
  children: ReactNode;
}) {
  return (
    <div className="flex min-w-32 flex-col gap-1">
      <Label htmlFor={id} className="text-muted-foreground text-xs">
        {label}
      </Label>
      {children}
    </div>
  );
}
