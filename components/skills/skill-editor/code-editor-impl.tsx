"use client";

import { json } from "@codemirror/lang-json";
import { markdown } from "@codemirror/lang-markdown";
import { EditorView } from "@codemirror/view";
import CodeMirror from "@uiw/react-codemirror";
import { useMemo } from "react";
import type { CodeEditorProps } from "./code-editor";
import { consoleEditorTheme } from "./code-editor-theme";

/** CodeMirror 6 with the language's highlighting; the content carries the field's accessible name. */
export default function CodeEditorImpl({
  value,
  onChange,
  language,
  label,
  describedBy,
  invalid,
  minHeight = "12rem",
}: CodeEditorProps) {
  const extensions = useMemo(
    () => [
      language === "json" ? json() : markdown(),
      consoleEditorTheme,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-label": label,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(invalid ? { "aria-invalid": "true" } : {}),
      }),
    ],
    [language, label, describedBy, invalid],
  );
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={extensions}
      theme="none"
      minHeight={minHeight}
      basicSetup={{ foldGutter: false, highlightActiveLine: false }}
      className="border-input aria-invalid:border-destructive overflow-hidden rounded-md border text-sm"
    />
  );
}
