"use client";

import { FilePlus2, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { CodeEditor } from "./code-editor";
import { FieldMessages } from "./field-messages";

/** A reference file as the editor holds it: `key` stays while its path is renamed. */
export type EditedReferenceFile = { key: string; path: string; content: string };

/** The skill's `references/*.md` files: add, rename, edit and remove. */
export function ReferenceFilesField({
  files,
  onChange,
  errors,
}: {
  files: EditedReferenceFile[];
  onChange: (files: EditedReferenceFile[]) => void;
  errors: string[] | undefined;
}) {
  const update = (key: string, change: Partial<EditedReferenceFile>) =>
    onChange(files.map((file) => (file.key === key ? { ...file, ...change } : file)));
  const add = () => {
    const taken = new Set(files.map((file) => file.path));
    let number = files.length + 1;
    while (taken.has(`references/notes-${number}.md`)) number += 1;
    onChange([
      ...files,
      { key: crypto.randomUUID(), path: `references/notes-${number}.md`, content: "" },
    ]);
  };
  return (
    <div className="flex flex-col gap-4">
      {files.length === 0 && (
        <p className="text-muted-foreground text-sm">
          No reference files. The agent reads them with its <code>read_skill_reference</code> tool
          when the instructions point to them.
        </p>
      )}
      {files.map((file, index) => (
        <div key={file.key} className="border-border flex flex-col gap-2 rounded-md border p-3">
          <div className="flex items-end gap-2">
            <div className="flex flex-1 flex-col gap-1.5">
              <Label htmlFor={`reference-${file.key}`}>Reference file {index + 1} path</Label>
              <Input
                id={`reference-${file.key}`}
                value={file.path}
                className="font-mono"
                onChange={(event) => update(file.key, { path: event.target.value })}
              />
            </div>
            <Button
              type="button"
              variant="ghost"
              size="icon"
              aria-label={`Remove ${file.path}`}
              onClick={() => onChange(files.filter((other) => other.key !== file.key))}
            >
              <Trash2 aria-hidden />
            </Button>
          </div>
          <CodeEditor
            value={file.content}
            onChange={(content) => update(file.key, { content })}
            language="markdown"
            label={`Content of ${file.path}`}
            minHeight="6rem"
          />
        </div>
      ))}
      <FieldMessages id="reference-files-errors" messages={errors} />
      <div>
        <Button type="button" variant="outline" size="sm" onClick={add}>
          <FilePlus2 aria-hidden />
          Add reference file
        </Button>
      </div>
    </div>
  );
}
