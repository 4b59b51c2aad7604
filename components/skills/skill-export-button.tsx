"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Download } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/components/providers/trpc";
import { Button } from "@/components/ui/button";

/** Saves the bytes as a file, the way a link with `download` would. */
function saveFile(fileName: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/zip" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started the download by now; the URL only holds the bytes in memory.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Downloads the skill (a given version, or its current one) as an Agent Skills zip: every member may. */
export function SkillExportButton({ slug, versionHash }: { slug: string; versionHash?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  async function exportSkill() {
    setPending(true);
    try {
      const exported = await queryClient.fetchQuery({
        ...trpc.skillArchives.export.queryOptions({ slug, versionHash }),
        staleTime: 0,
        gcTime: 0,
      });
      saveFile(exported.fileName, exported.archive);
    } catch (error) {
      toast.error(error instanceof Error ? error.message : "The skill could not be exported.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Button variant="outline" onClick={() => void exportSkill()} disabled={pending}>
      <Download aria-hidden />
      {pending ? "Exporting…" : "Export"}
    </Button>
  );
}
