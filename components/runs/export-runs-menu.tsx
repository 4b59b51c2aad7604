"use client";

import { ChevronDown, Download } from "lucide-react";
import { createSerializer } from "nuqs";
import { useTabTenantId } from "@/components/providers/tab-tenant";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { runFilterParsers, useRunFilters } from "./run-filters";

const serialize = createSerializer(runFilterParsers);

const FORMATS = [
  { format: "csv", label: "CSV (spreadsheets)" },
  { format: "jsonl", label: "JSONL (one JSON object a line)" },
] as const;

/**
 * Downloads every run the current filters match, not only the loaded page: the export route
 * reads the same URL filters and streams the rows. The tab's tenant rides along as a parameter
 * (a download cannot send the tenant header); the server checks it against the session.
 */
export function ExportRunsMenu() {
  const [filters] = useRunFilters();
  const tenantId = useTabTenantId();
  const hrefOf = (format: string) =>
    serialize(
      `/api/runs/export?format=${format}&tenant=${encodeURIComponent(tenantId ?? "")}`,
      filters,
    );
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" disabled={!tenantId}>
          <Download aria-hidden />
          Export
          <ChevronDown aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {FORMATS.map(({ format, label }) => (
          <DropdownMenuItem key={format} asChild>
            <a href={hrefOf(format)} download>
              {label}
            </a>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
