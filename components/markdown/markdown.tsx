"use client";

import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sqlLanguage from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import yaml from "highlight.js/lib/languages/yaml";
import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { cn } from "@/components/ui/cn";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { CodeBlock } from "./code-block";

const LANGUAGES = { bash, javascript, json, python, sql: sqlLanguage, typescript, yaml };
const ALIASES = {
  bash: ["sh", "shell"],
  javascript: ["js"],
  typescript: ["ts", "tsx"],
  yaml: ["yml"],
};

/**
 * Markdown sits in a card under the page's h1 and the card's h2, so its headings start at h3:
 * a deliverable's "# Title" must not become a second h1 on the page.
 */
function demoted(level: 1 | 2 | 3 | 4 | 5 | 6) {
  const Tag = `h${Math.min(level + 2, 6)}` as "h3" | "h4" | "h5" | "h6";
  return function DemotedHeading({
    node: _node,
    ...props
  }: ComponentProps<"h1"> & { node?: unknown }) {
    return <Tag {...props} />;
  };
}

/** A wide table scrolls inside the text, never the page. */
function MarkdownTable({ node: _node, ...props }: ComponentProps<"table"> & { node?: unknown }) {
  return (
    <ScrollRegion label="Table">
      <table {...props} />
    </ScrollRegion>
  );
}

const COMPONENTS: Components = {
  h1: demoted(1),
  h2: demoted(2),
  h3: demoted(3),
  h4: demoted(4),
  h5: demoted(5),
  h6: demoted(6),
  pre: CodeBlock,
  table: MarkdownTable,
};

// Inline code as a chip, without the backticks Typography adds around it.
const INLINE_CODE =
  "prose-code:before:content-none prose-code:after:content-none [&_:not(pre)>code]:bg-muted [&_:not(pre)>code]:rounded [&_:not(pre)>code]:px-1.5 [&_:not(pre)>code]:py-0.5 [&_:not(pre)>code]:text-[0.85em] [&_:not(pre)>code]:font-medium";

/**
 * Markdown from a model or a SKILL.md. Raw HTML is never rendered (react-markdown drops it)
 * and the tree is sanitized before highlighting, so nothing a model writes can run here.
 */
export default function Markdown({
  children,
  className,
}: {
  children: string;
  className?: string;
}) {
  return (
    <div
      className={cn(
        "prose prose-sm prose-slate dark:prose-invert max-w-none break-words",
        INLINE_CODE,
        className,
      )}
    >
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[
          rehypeSanitize,
          [rehypeHighlight, { languages: LANGUAGES, aliases: ALIASES, detect: false }],
        ]}
        components={COMPONENTS}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
