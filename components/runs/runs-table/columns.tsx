import { createColumnHelper } from "@tanstack/react-table";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { formatAbsolute, formatDuration, formatRelative } from "@/components/format";
import { Checkbox } from "@/components/ui/checkbox";
import type { AppRouter } from "@/server/trpc/root";
import { formatCost, formatTokens, runDuration } from "../format";
import { RunLabel } from "../run-label";
import { RunSource } from "../run-source";
import { RunStatusBadge } from "../run-status";

export type RunRow = inferRouterOutputs<AppRouter>["runs"]["list"]["runs"][number];
const column = createColumnHelper<RunRow>();

/** The runs table's columns; `select` shows only to operators. */
export const runColumns = [
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
    cell: ({ row }) => <RunSource source={row.original.source} invoker={row.original.invoker} />,
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
];
