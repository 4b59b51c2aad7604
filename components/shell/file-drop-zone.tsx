"use client";

import { useState, type DragEvent, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";

/**
 * A dashed box files can be dropped on, lit while they are dragged over it. What it holds should
 * include a file input, the keyboard's way in; `className` lays that out.
 */
export function FileDropZone({
  onDrop,
  className,
  children,
}: {
  onDrop: (files: FileList) => void;
  className: string;
  children: ReactNode;
}) {
  const [dragging, setDragging] = useState(false);
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    onDrop(event.dataTransfer.files);
  };
  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
      className={cn(
        "border-border rounded-lg border border-dashed",
        className,
        dragging && "border-primary bg-muted",
      )}
    >
      {children}
    </div>
  );
}
