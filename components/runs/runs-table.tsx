"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type RowSelectionState,
} from "@tanstack/react-table";
import { Ban, History, LoaderCircle, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQueryStates } from "nuqs";
import { useEffect, useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { AppRouter } from "@/server/trpc/root";
import type { inferRouterOutputs } from "@trpc/server";
import { formatAbsolute, formatDuration, formatRelative, plural } from "@/components/format";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { formatCost, formatTokens, runDuration } from "./format";
import { isTerminal } from "@/lib/enums";
import { listInputOf, runFilterParsers } from "./run-filters";
import { RunLabel } from "./run-label";
import { RunSource } from "./run-source";
import { RunStatusBadge } from "./run-status";

type RunRow = inferRouterOutputs<AppRouter>["runs"]["list"]["runs"][number];
const column = createColumnHelper<RunRow>();
const PAGE_SIZE = 50;

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
    target.closest("[role=dialog], [role=alertdialog]") !== null);
/** Enter and x act on the active run only when focus is on a run row or nowhere in particular. */
const onRunRowOrPage = (target: EventTarget | null) =>
  target === document.body ||
  (target instanceof HTMLElement && target.closest("tr[data-run-id]") !== null);

export function RunsTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can } = useTenantRole();
  const [filters, setFilters] = useQueryStates(runFilterParsers, { history: "replace" });
  const input = useMemo(() => ({ ...listInputOf(filters), limit: PAGE_SIZE }), [filters]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [activeIndex, setActiveIndex] = useState(-1);
  const rowRefs = useRef(new Map<string, HTMLTableRowElement>());

  const runs = useInfiniteQuery({
    ...trpc.runs.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
    // Poll while anything on screen can still change; stop once every visible run is terminal.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.runs.some((run) => !isTerminal(run.status)))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((page) => page.runs) ?? [], [runs.data]);

  const columns = useMemo(
    () => [
      column.display({
        id: "select",
        header: ({ table }) => (
          <Checkbox
            aria-label="Select all loaded runs"
            checked={table.getIsAllRowsSelected()}
            ref={(element) => {
              if (element) element.indeterminate = table.getIsSomeRowsSelected();
            }}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <Checkbox
            aria-label={`Select run ${row.original.id}`}
            checked={row.getIsSelected()}
            onChange={row.getToggleSelectedHandler()}
            onClick={(event) => event.stopPropagation()}
          />
        ),
      }),
      column.accessor("status", {
        header: "Status",
        cell: ({ row }) => <RunStatusBadge status={row.original.status} />,
      }),
      column.accessor((run) => run.skill.name, {
        id: "skill",
        header: "Skill",
        cell: ({ row }) => (
          <Link
            href={`/runs/${row.original.id}`}
            className="font-medium whitespace-nowrap hover:underline"
            tabIndex={-1}
          >
            {row.original.skill.name}
          </Link>
        ),
      }),
      column.accessor((run) => run.agent?.name ?? "—", {
        id: "agent",
        header: "Agent",
        cell: ({ getValue }) => <span className="whitespace-nowrap">{getValue()}</span>,
      }),
      column.accessor("source", {
        header: "Source",
        cell: ({ row }) => (
          <RunSource source={row.original.source} invoker={row.original.invoker} />
        ),
      }),
      column.display({
        id: "inputs",
        header: "Inputs",
        cell: ({ row }) => <RunLabel run={row.original} className="max-w-64" />,
      }),
      column.accessor("createdAt", {
        header: "Created",
        cell: ({ getValue }) => (
          <time
            dateTime={getValue().toISOString()}
            title={formatAbsolute(getValue())}
            className="whitespace-nowrap"
          >
            {formatRelative(getValue())}
          </time>
        ),
      }),
      column.display({
        id: "duration",
        header: "Duration",
        cell: ({ row }) => {
          const duration = runDuration(row.original);
          return (
            <span className="whitespace-nowrap tabular-nums">
              {duration === null ? "—" : formatDuration(duration)}
            </span>
          );
        },
      }),
      column.display({
        id: "tokens",
        header: "Tokens",
        cell: ({ row }) => (
          <span className="tabular-nums">
            {formatTokens(row.original.inputTokens, row.original.outputTokens)}
          </span>
        ),
      }),
      column.accessor("costUsd", {
        header: "Cost",
        cell: ({ getValue }) => <span className="tabular-nums">{formatCost(getValue())}</span>,
      }),
    ],
    [],
  );

  // TanStack Table v8 returns fresh functions each render; React Compiler skips this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns,
    getRowId: (run) => run.id,
    state: { rowSelection, columnVisibility: { select: can("operator") } },
    enableRowSelection: true,
    onRowSelectionChange: setRowSelection,
    getCoreRowModel: getCoreRowModel(),
  });

  const selected = rows.filter((run) => rowSelection[run.id]);
  const cancellable = selected.filter((run) => run.cancellable);

  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const rerun = useMutation(trpc.runs.rerun.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });

  const cancelSelected = async () => {
    const results = await Promise.allSettled(
      cancellable.map((run) => cancel.mutateAsync({ runId: run.id })),
    );
    const failed = results.filter((result) => result.status === "rejected");
    if (failed.length === 0) toast.success(`Cancelled ${plural(cancellable.length, "run")}`);
    else
      toast.error(
        `Cancelled ${cancellable.length - failed.length} of ${cancellable.length}: ${(failed[0] as PromiseRejectedResult).reason instanceof Error ? ((failed[0] as PromiseRejectedResult).reason as Error).message : "error"}`,
      );
    setRowSelection({});
    await refresh();
  };
  const rerunSelected = async () => {
    const results = await Promise.allSettled(
      selected.map((run) => rerun.mutateAsync({ runId: run.id })),
    );
    const started = results.filter((result) => result.status === "fulfilled").length;
    if (started === selected.length) toast.success(`Started ${plural(started, "re-run")}`);
    else toast.error(`Started ${started} of ${selected.length} re-runs`);
    setRowSelection({});
    await refresh();
  };

  // j/k move between rows, Enter opens, x selects; ignored while typing or in a dialog.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (
        event.defaultPrevented ||
        event.metaKey ||
        event.ctrlKey ||
        event.altKey ||
        isTyping(event.target) ||
        rows.length === 0
      )
        return;
      const move = event.key === "j" ? 1 : event.key === "k" ? -1 : 0;
      if (move) {
        event.preventDefault();
        const next = Math.min(rows.length - 1, Math.max(0, activeIndex + move));
        setActiveIndex(next);
        const run = rows[next];
        if (run) rowRefs.current.get(run.id)?.focus();
      } else if (!onRunRowOrPage(event.target)) {
        return;
      } else if (event.key === "Enter" && activeIndex >= 0 && rows[activeIndex]) {
        event.preventDefault();
        router.push(`/runs/${rows[activeIndex].id}`);
      } else if (event.key === "x" && activeIndex >= 0 && rows[activeIndex] && can("operator")) {
        event.preventDefault();
        table.getRow(rows[activeIndex].id).toggleSelected();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [rows, activeIndex, router, table, can]);

  if (runs.isPending) {
    return (
      <div className="flex flex-col gap-2" aria-busy="true" aria-label="Loading runs">
        {Array.from({ length: 8 }, (_, index) => (
          <Skeleton key={index} className="h-11" />
        ))}
      </div>
    );
  }
  if (runs.isError) return <QueryError title="Runs could not be loaded" query={runs} />;

  const filtered = Object.values(filters).some((value) => value !== null);
  if (rows.length === 0) {
    return (
      <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
        <History className="text-muted-foreground mb-3 size-8" aria-hidden />
        <p className="font-medium">{filtered ? "No runs match these filters" : "No runs yet"}</p>
        <p className="text-muted-foreground mt-1 text-sm">
          {filtered ? (
            <Button variant="link" className="h-auto p-0" onClick={() => void setFilters(null)}>
              Clear the filters
            </Button>
          ) : (
            <>
              Start one from{" "}
              <Link href="/skills" className="text-primary hover:underline">
                Skills
              </Link>{" "}
              with Run now.
            </>
          )}
        </p>
      </div>
    );
  }

  return (
    <>
      {can("operator") && (
        <div className="mb-3 flex min-h-9 items-center gap-2 text-sm" aria-live="polite">
          {selected.length > 0 ? (
            <>
              <span className="text-muted-foreground mr-2">
                {plural(selected.length, "run")} selected
              </span>
              <Button
                size="sm"
                variant="outline"
                disabled={cancellable.length === 0 || cancel.isPending}
                onClick={() => setConfirmCancel(true)}
              >
                <Ban aria-hidden />
                Cancel selected{cancellable.length ? ` (${cancellable.length})` : ""}
              </Button>
              <Button
                size="sm"
                variant="outline"
                disabled={rerun.isPending}
                onClick={() => void rerunSelected()}
              >
                {rerun.isPending ? (
                  <LoaderCircle aria-hidden className="animate-spin" />
                ) : (
                  <RotateCcw aria-hidden />
                )}
                Re-run selected
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setRowSelection({})}>
                Clear selection
              </Button>
            </>
          ) : (
            <span className="text-muted-foreground text-xs">
              j / k to move · Enter to open · x to select
            </span>
          )}
        </div>
      )}
      <Table aria-label="Runs" aria-busy={runs.isFetching}>
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
              onFocus={() => setActiveIndex(index)}
              onClick={() => router.push(`/runs/${row.id}`)}
              onKeyDown={(event) => {
                if (event.key === "Enter" && event.target === event.currentTarget)
                  router.push(`/runs/${row.id}`);
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
      <div className="text-muted-foreground mt-4 flex items-center justify-between text-sm">
        <span>
          {plural(rows.length, "run")} shown
          {runs.isFetching && !runs.isFetchingNextPage ? " · refreshing…" : ""}
        </span>
        {runs.hasNextPage && (
          <Button
            variant="outline"
            size="sm"
            onClick={() => void runs.fetchNextPage()}
            disabled={runs.isFetchingNextPage}
          >
            {runs.isFetchingNextPage && <LoaderCircle aria-hidden className="animate-spin" />}
            Load more
          </Button>
        )}
      </div>
      <AlertDialog open={confirmCancel} onOpenChange={setConfirmCancel}>
        <AlertDialogContent>
          <AlertDialogTitle>Cancel {plural(cancellable.length, "run")}?</AlertDialogTitle>
          <AlertDialogDescription>
            {cancellable.length} of the {plural(selected.length, "selected run")} can still be
            cancelled; finished runs are left as they are. A cancelled run stops at its next step
            and keeps no deliverable.
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep them</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => void cancelSelected()}>
              Cancel {plural(cancellable.length, "run")}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
