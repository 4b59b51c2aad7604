"use client";

import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sqlLanguage from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import yaml from "highlight.js/lib/languages/yaml";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { cn } from "@/components/ui/cn";

const LANGUAGES = { bash, javascript, json, python, sql: sqlLanguage, typescript, yaml };
const ALIASES = {
  bash: ["sh", "shell"],
  javascript: ["js"],
  typescript: ["ts", "tsx"],
  yaml: ["yml"],
};

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
        "prose prose-sm prose-slate prose-pre:bg-muted prose-pre:text-foreground max-w-none",
        className,
      )}
    >
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[
          rehypeSanitize,
          [rehypeHighlight, { languages: LANGUAGES, aliases: ALIASES, detect: false }],
        ]}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
