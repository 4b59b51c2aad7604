"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { getCoreRowModel, useReactTable, type RowSelectionState } from "@tanstack/react-table";
import { useRouter } from "next/navigation";
import { useQueryStates } from "nuqs";
import { useMemo, useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";
import { isTerminal } from "@/lib/enums";
import { listInputOf, runFilterParsers } from "../run-filters";
import { BulkActions } from "./bulk-actions";
import { runColumns } from "./columns";
import { RunsEmptyState } from "./empty-state";
import { RunsFooter } from "./runs-footer";
import { RunsGrid } from "./runs-grid";
import { useRowKeyboard } from "./use-row-keyboard";

const PAGE_SIZE = 50;

export function RunsTable() {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const [filters, setFilters] = useQueryStates(runFilterParsers, { history: "replace" });
  const input = useMemo(() => ({ ...listInputOf(filters), limit: PAGE_SIZE }), [filters]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});

  const runs = useInfiniteQuery({
    ...trpc.runs.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
    // Poll while anything on screen can still change; stop once every visible run is terminal.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.runs.some((run) => !isTerminal(run.status)))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((page) => page.runs) ?? [], [runs.data]);

  // TanStack Table v8 returns fresh functions each render; React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: runColumns,
    getRowId: (run) => run.id,
    state: { rowSelection, columnVisibility: { select: can("operator") } },
    enableRowSelection: true,
    onRowSelectionChange: setRowSelection,
    getCoreRowModel: getCoreRowModel(),
  });
  const open = (runId: string) => router.push(`/runs/${runId}`);
  const keyboard = useRowKeyboard(rows, {
    open,
    toggle: can("operator") ? (runId) => table.getRow(runId).toggleSelected() : null,
  });

  return (
    <QueryView
      query={runs}
      loading={
        <div className="flex flex-col gap-2" aria-busy="true" aria-label="Loading runs">
          {Array.from({ length: 8 }, (_, index) => (
            <Skeleton key={index} className="h-11" />
          ))}
        </div>
      }
      errorTitle="Runs could not be loaded"
      isEmpty={() => rows.length === 0}
      empty={
        <RunsEmptyState
          filtered={Object.values(filters).some((value) => value !== null)}
          onClearFilters={() => void setFilters(null)}
        />
      }
    >
      {() => (
        <>
          {can("operator") && (
            <BulkActions
              selected={rows.filter((run) => rowSelection[run.id])}
              onDone={() => setRowSelection({})}
            />
          )}
          <RunsGrid
            table={table}
            busy={runs.isFetching}
            activeIndex={keyboard.activeIndex}
            onActivate={keyboard.setActiveIndex}
            rowRefs={keyboard.rowRefs}
            onOpen={open}
          />
          <RunsFooter shown={rows.length} pages={runs} />
        </>
      )}
    </QueryView>
  );
}
