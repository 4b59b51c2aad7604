"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import {
  getCoreRowModel,
  useReactTable,
  type RowSelectionState,
  type VisibilityState,
} from "@tanstack/react-table";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { LiveIndicator, useLiveness } from "@/components/shell/live-indicator";
import { QueryView } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";
import { isTerminal } from "@/lib/enums";
import { hasActiveFilters } from "@/components/url-filters";
import { listInputOf, useRunFilters } from "../run-filters";
import { BulkActions } from "./bulk-actions";
import { ColumnChooser } from "./column-chooser";
import { runColumns } from "./columns";
import { RunsEmptyState } from "./empty-state";
import { ListClock } from "./run-cells";
import { RunsCards } from "./runs-cards";
import { RunsFooter } from "./runs-footer";
import { RunsGrid } from "./runs-grid";
import { OPTIONAL_COLUMNS, useHiddenColumns } from "./use-hidden-columns";
import { useMediaQuery, WIDE_QUERY } from "./use-media-query";
import { useRowKeyboard } from "./use-row-keyboard";

const PAGE_SIZE = 50;

const LOADING = (
  <div className="flex flex-col gap-2" aria-busy="true" aria-label="Loading runs">
    {Array.from({ length: 8 }, (_, index) => (
      <Skeleton key={index} className="h-11" />
    ))}
  </div>
);

/** Which columns show: what the member chose, the agent only when the tenant has several. */
function useColumns(canSelect: boolean) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const [hidden, setHidden] = useHiddenColumns();
  const showAgent = (agents.data?.length ?? 0) > 1;
  const available = OPTIONAL_COLUMNS.filter((id) => id !== "agent" || showAgent);
  const visibility: VisibilityState = {
    select: canSelect,
    ...Object.fromEntries(OPTIONAL_COLUMNS.map((id) => [id, !hidden.includes(id)])),
    agent: showAgent && !hidden.includes("agent"),
  };
  return { visibility, available, hidden, onChange: setHidden };
}

/** The list's pages, polled while anything on screen can still change. */
function useRunPages(input: ReturnType<typeof listInputOf> & { limit: number }) {
  const trpc = useTRPC();
  return useInfiniteQuery({
    ...trpc.runs.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
    // Stop fast polling once every visible run is terminal; runs started elsewhere still appear.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.runs.some((run) => !isTerminal(run.status)))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
}

export function RunsTable() {
  const router = useRouter();
  const { can } = useTenantRole();
  const [filters, setFilters] = useRunFilters();
  const input = useMemo(() => ({ ...listInputOf(filters), limit: PAGE_SIZE }), [filters]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const wide = useMediaQuery(WIDE_QUERY, true);
  const { visibility, ...columns } = useColumns(can("operator"));

  const runs = useRunPages(input);
  const { live, updatedAt } = useLiveness(runs);
  const rows = useMemo(() => runs.data?.pages.flatMap((page) => page.runs) ?? [], [runs.data]);

  // TanStack Table v8 returns fresh functions each render; React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: runColumns,
    getRowId: (run) => run.id,
    state: { rowSelection, columnVisibility: visibility },
    enableRowSelection: true,
    onRowSelectionChange: setRowSelection,
    getCoreRowModel: getCoreRowModel(),
  });
  const open = (runId: string) => router.push(`/runs/${runId}`);
  const toggle = can("operator") ? (runId: string) => table.getRow(runId).toggleSelected() : null;
  const { activeIndex, setActiveIndex, rowRefs } = useRowKeyboard(rows, { open, toggle });
  const rowProps = {
    busy: runs.isFetching,
    activeIndex,
    onActivate: setActiveIndex,
    rowRefs,
    onOpen: open,
  };

  return (
    <ListClock.Provider value={live ? null : updatedAt}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        {can("operator") && rows.length > 0 ? (
          <BulkActions
            selected={rows.filter((run) => rowSelection[run.id])}
            loaded={rows}
            onDone={() => setRowSelection({})}
          />
        ) : (
          <span />
        )}
        <div className="flex items-center gap-3">
          <LiveIndicator query={runs} />
          {wide && <ColumnChooser {...columns} />}
        </div>
      </div>
      <QueryView
        // A failed poll keeps the rows it has: the live indicator says they are not current.
        query={{ ...runs, isError: runs.isError && runs.data === undefined }}
        loading={LOADING}
        errorTitle="Runs could not be loaded"
        isEmpty={() => rows.length === 0}
        empty={
          <RunsEmptyState
            filtered={hasActiveFilters(filters)}
            canStart={can("operator")}
            onClearFilters={() => void setFilters(null)}
          />
        }
      >
        {() => (
          <>
            {wide ? (
              <RunsGrid table={table} {...rowProps} />
            ) : (
              <RunsCards runs={rows} selected={rowSelection} onToggle={toggle} {...rowProps} />
            )}
            <RunsFooter shown={rows.length} pages={runs} />
          </>
        )}
      </QueryView>
    </ListClock.Provider>
  );
}
