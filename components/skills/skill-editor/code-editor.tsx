"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";

export type CodeEditorProps = {
  value: string;
  onChange: (value: string) => void;
  language: "markdown" | "json";
  /** The accessible name of the editable text. */
  label: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  minHeight?: string;
};

/** Loaded on demand: CodeMirror stays out of the first load of every page but the editor's. */
export const CodeEditor = dynamic(() => import("./code-editor-impl"), {
  ssr: false,
  loading: () => <Skeleton className="h-48" aria-label="Loading the editor" />,
});
