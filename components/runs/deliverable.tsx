"use client";

import { Copy, Download, ShieldAlert } from "lucide-react";
import { toast } from "sonner";
import { Markdown } from "@/components/markdown";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { PiiMaskCounts } from "@/server/agent/guardrail";
import { describeMasked, maskedItems, maskedTotal } from "./masked-pii";

/** `masked`: what the agent's guardrail replaced in the markdown before it was stored. */
export function Deliverable({
  markdown,
  fileName,
  masked = {},
}: {
  markdown: string;
  fileName: string;
  masked?: PiiMaskCounts;
}) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(markdown);
      toast.success("Deliverable copied");
    } catch {
      toast.error("The clipboard is not available here; use Download instead.");
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([markdown], { type: "text/markdown;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center justify-end gap-2">
        {maskedTotal(masked) > 0 && (
          <Badge
            variant="warning"
            className="mr-auto"
            title={`Replaced before the deliverable was stored: ${describeMasked(masked)}`}
            data-testid="deliverable-masked"
          >
            <ShieldAlert aria-hidden className="size-3" />
            Guardrail masked {maskedItems(masked)}
            <span className="sr-only">: {describeMasked(masked)}</span>
          </Badge>
        )}
        <Button size="sm" variant="outline" onClick={() => void copy()}>
          <Copy aria-hidden />
          Copy
        </Button>
        <Button size="sm" variant="outline" onClick={download}>
          <Download aria-hidden />
          Download .md
        </Button>
      </div>
      {/* A wide table scrolls inside itself, and a long word wraps, instead of widening the page. */}
      <article
        aria-label="Deliverable"
        data-testid="deliverable"
        className="min-w-0 break-words [&_table]:block [&_table]:max-w-full [&_table]:overflow-x-auto"
      >
        <Markdown>{markdown}</Markdown>
      </article>
    </div>
  );
}
