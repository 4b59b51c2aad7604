"use client";

import { ChevronDown, ListChecks } from "lucide-react";
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { BulkOperationKind } from "@/lib/enums";
import { listInputOf, useRunFilters } from "../run-filters";

// The dialog's code loads when an operator first opens it, not with every history page.
const BulkByFilterDialog = dynamic(
  () => import("./bulk-by-filter-dialog").then((module) => module.BulkByFilterDialog),
  { ssr: false },
);

/**
 * Act on everything the current filter matches, on the server, not only the loaded rows:
 * operators and above (the server checks it too).
 */
export function BulkByFilterMenu() {
  const { can } = useTenantRole();
  const [filters] = useRunFilters();
  const input = useMemo(() => listInputOf(filters), [filters]);
  const [kind, setKind] = useState<BulkOperationKind | null>(null);
  if (!can("operator")) return null;
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline">
            <ListChecks aria-hidden />
            All matching
            <ChevronDown aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => setKind("cancel")}>
            Cancel all matching
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setKind("rerun")}>Re-run all matching</DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {kind && <BulkByFilterDialog kind={kind} filters={input} onClose={() => setKind(null)} />}
    </>
  );
}
