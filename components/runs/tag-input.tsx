"use client";

import { Plus } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";

type Props = {
  label: string;
  /** Shown above the box; otherwise the label is for screen readers only. */
  visibleLabel?: boolean;
  placeholder: string;
  /** Takes what was typed: the problem to show, or null once added (the box then empties). */
  onAdd: (text: string) => string | null;
  pending?: boolean;
  className?: string;
};

/** A one-line box that adds `key:value` tags, its problem beneath it (run tags, the tag filter). */
export function TagInput({ label, visibleLabel, placeholder, onAdd, pending, className }: Props) {
  const inputId = useId();
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const add = (event: FormEvent) => {
    event.preventDefault();
    const found = onAdd(draft);
    setProblem(found);
    if (!found) setDraft("");
  };
  return (
    <form onSubmit={add} className="flex flex-col gap-1">
      <label
        htmlFor={inputId}
        className={visibleLabel ? "text-muted-foreground text-xs" : "sr-only"}
      >
        {label}
      </label>
      <div className="flex gap-2">
        <Input
          id={inputId}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder={placeholder}
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${inputId}-problem` : undefined}
          className={cn("h-8", className)}
        />
        <Button type="submit" size="sm" variant="outline" disabled={pending}>
          <Plus aria-hidden className="size-3.5" />
          Add
        </Button>
      </div>
      {problem && (
        <p id={`${inputId}-problem`} role="alert" className="text-destructive text-xs">
          {problem}
        </p>
      )}
    </form>
  );
}
