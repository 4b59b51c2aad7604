"use client";

import { Check, Copy } from "lucide-react";
import { useEffect, useRef, useState, type ComponentProps } from "react";
import type { ExtraProps } from "react-markdown";
import { toast } from "sonner";
import { useScrollsSideways } from "@/components/ui/use-scrolls-sideways";

const COPIED_FOR_MS = 2_000;

/** The fence's language (```json), which the sanitizer keeps as the code's `language-*` class. */
export function languageOf(node: ExtraProps["node"]): string | null {
  const code = node?.children.find((child) => child.type === "element" && child.tagName === "code");
  const classes = code?.type === "element" ? code.properties.className : undefined;
  const names = Array.isArray(classes) ? classes.map(String) : [];
  return names.find((name) => name.startsWith("language-"))?.slice("language-".length) ?? null;
}

/** A fenced block with its language named and a Copy button, for deliverables and instructions. */
export function CodeBlock({ node, children }: ComponentProps<"pre"> & ExtraProps) {
  const language = languageOf(node);
  const preRef = useRef<HTMLPreElement>(null);
  const scrolls = useScrollsSideways(preRef);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_FOR_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(preRef.current?.textContent ?? "");
      setCopied(true);
    } catch {
      toast.error("The clipboard is not available here; select the code and copy it.");
    }
  };

  return (
    <div className="not-prose border-border bg-muted my-4 overflow-hidden rounded-md border">
      <div className="border-border flex items-center justify-between gap-2 border-b py-1 pr-1 pl-3">
        <span className="text-muted-foreground font-mono text-xs">{language ?? "text"}</span>
        <button
          type="button"
          onClick={() => void copy()}
          className="text-muted-foreground hover:bg-background hover:text-foreground focus-visible:ring-ring inline-flex items-center gap-1.5 rounded px-2 py-1 text-xs outline-none focus-visible:ring-2"
        >
          {copied ? (
            <Check aria-hidden className="size-3.5" />
          ) : (
            <Copy aria-hidden className="size-3.5" />
          )}
          {copied ? "Copied" : "Copy"}
          <span className="sr-only"> code</span>
        </button>
        <span role="status" className="sr-only">
          {copied ? "Code copied to the clipboard" : ""}
        </span>
      </div>
      <pre
        ref={preRef}
        role={scrolls ? "region" : undefined}
        aria-label={scrolls ? `${language ?? "Text"} code` : undefined}
        tabIndex={scrolls ? 0 : undefined}
        className="focus-visible:ring-ring overflow-x-auto p-3 font-mono text-[13px] leading-relaxed outline-none focus-visible:ring-2 focus-visible:ring-inset"
      >
        {children}
      </pre>
    </div>
  );
}
