"use client";

import { flexRender, type Table as TanStackTable } from "@tanstack/react-table";
import type { RefObject } from "react";
import { cn } from "@/components/ui/cn";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { RunRow } from "./columns";

/** The runs as table rows: each focusable, opened by click or Enter, marked while active. */
export function RunsGrid({
  table,
  busy,
  activeIndex,
  onActivate,
  rowRefs,
  onOpen,
}: {
  table: TanStackTable<RunRow>;
  busy: boolean;
  activeIndex: number;
  onActivate: (index: number) => void;
  rowRefs: RefObject<Map<string, HTMLElement>>;
  onOpen: (runId: string) => void;
}) {
  return (
    <Table aria-label="Runs" aria-busy={busy}>
      <TableHeader>
        {table.getHeaderGroups().map((group) => (
          <TableRow key={group.id}>
            {group.headers.map((header) => (
              <TableHead key={header.id}>
                {header.isPlaceholder
                  ? null
                  : flexRender(header.column.columnDef.header, header.getContext())}
              </TableHead>
            ))}
          </TableRow>
        ))}
      </TableHeader>
      <TableBody>
        {table.getRowModel().rows.map((row, index) => (
          <TableRow
            key={row.id}
            ref={(element) => {
              if (element) rowRefs.current.set(row.id, element);
              else rowRefs.current.delete(row.id);
            }}
            tabIndex={0}
            data-state={row.getIsSelected() ? "selected" : undefined}
            data-run-id={row.id}
            aria-selected={row.getIsSelected()}
            onFocus={() => onActivate(index)}
            onClick={(event) => {
              // A link inside (the skill, the source) navigates by itself.
              if (!(event.target instanceof Element && event.target.closest("a"))) onOpen(row.id);
            }}
            onKeyDown={(event) => {
              if (event.key !== "Enter" || event.target !== event.currentTarget) return;
              // Handled here: the page's row keyboard (use-row-keyboard) skips a prevented Enter.
              event.preventDefault();
              onOpen(row.id);
            }}
            className={cn(
              "hover:bg-muted/50 focus-visible:bg-primary/5 focus-visible:ring-ring cursor-pointer outline-none focus-visible:ring-2 focus-visible:ring-inset",
              index === activeIndex && "bg-muted/40",
            )}
          >
            {row.getVisibleCells().map((cell) => (
              <TableCell key={cell.id}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
