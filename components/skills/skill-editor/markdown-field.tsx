"use client";

import { useState } from "react";
import { Markdown } from "@/components/markdown";
import { Button } from "@/components/ui/button";
import { CodeEditor } from "./code-editor";
import { FieldMessages } from "./field-messages";

/** Markdown in a CodeMirror editor, with a Write/Preview toggle rendering it as the run page would. */
export function MarkdownField({
  id,
  label,
  value,
  onChange,
  errors,
  minHeight,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors: string[] | undefined;
  minHeight?: string;
}) {
  const [mode, setMode] = useState<"write" | "preview">("write");
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-center justify-between gap-2">
        <span id={`${id}-label`} className="text-sm font-medium">
          {label}
        </span>
        <div role="group" aria-label={`${label}: write or preview`} className="flex gap-1">
          {(["write", "preview"] as const).map((choice) => (
            <Button
              key={choice}
              type="button"
              size="sm"
              variant={mode === choice ? "outline" : "ghost"}
              aria-pressed={mode === choice}
              onClick={() => setMode(choice)}
            >
              {choice === "write" ? "Write" : "Preview"}
            </Button>
          ))}
        </div>
      </div>
      {mode === "write" ? (
        <CodeEditor
          value={value}
          onChange={onChange}
          language="markdown"
          label={label}
          describedBy={errors?.length ? `${id}-errors` : undefined}
          invalid={Boolean(errors?.length)}
          {...(minHeight ? { minHeight } : {})}
        />
      ) : (
        <div
          className="border-border min-h-48 rounded-md border px-4 py-3"
          aria-label={`${label} preview`}
          role="region"
        >
          {value.trim() ? (
            <Markdown>{value}</Markdown>
          ) : (
            <p className="text-muted-foreground text-sm">Nothing to preview yet.</p>
          )}
        </div>
      )}
      <FieldMessages id={`${id}-errors`} messages={errors} />
    </div>
  );
}
