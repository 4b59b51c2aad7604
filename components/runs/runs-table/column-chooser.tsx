"use client";

import { Columns3 } from "lucide-react";
import { ChipChecklist } from "@/components/shell/filter-chips";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { COLUMN_LABELS } from "./columns";
import { OPTIONAL_COLUMNS, type OptionalColumn } from "./use-hidden-columns";

/** Which of the optional columns show; `available` leaves out those the tenant has no use for. */
export function ColumnChooser({
  available,
  hidden,
  onChange,
}: {
  available: readonly OptionalColumn[];
  hidden: readonly OptionalColumn[];
  onChange: (hidden: OptionalColumn[]) => void;
}) {
  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="outline" size="sm">
          <Columns3 aria-hidden />
          Columns
        </Button>
      </PopoverTrigger>
      <PopoverContent align="end" className="w-56" aria-label="Columns">
        <ChipChecklist
          legend="Columns shown"
          options={available.map((id) => ({ value: id, label: COLUMN_LABELS[id] }))}
          selected={available.filter((id) => !hidden.includes(id))}
          onChange={(shown) =>
            onChange(
              OPTIONAL_COLUMNS.filter((id) =>
                available.includes(id) ? !shown.includes(id) : hidden.includes(id),
              ),
            )
          }
        />
      </PopoverContent>
    </Popover>
  );
}
