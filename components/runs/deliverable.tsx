"use client";

import { Copy, Download } from "lucide-react";
import { toast } from "sonner";
import { Markdown } from "@/components/markdown";
import { Button } from "@/components/ui/button";

export function Deliverable({ markdown, fileName }: { markdown: string; fileName: string }) {
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
      <div className="mb-3 flex justify-end gap-2">
        <Button size="sm" variant="outline" onClick={() => void copy()}>
          <Copy aria-hidden />
          Copy
        </Button>
        <Button size="sm" variant="outline" onClick={download}>
          <Download aria-hidden />
          Download .md
        </Button>
      </div>
      <article aria-label="Deliverable" data-testid="deliverable">
        <Markdown>{markdown}</Markdown>
      </article>
    </div>
  );
}
