import { createColumnHelper } from "@tanstack/react-table";
import { Checkbox } from "@/components/ui/checkbox";
import { RunSource } from "../run-source";
import {
  costOf,
  CreatedCell,
  DurationCell,
  SkillCell,
  StatusCell,
  tokensOf,
  type RunRow,
} from "./run-cells";
import type { OptionalColumn } from "./use-hidden-columns";

export type { RunRow };
const column = createColumnHelper<RunRow>();

/** The names the column chooser shows. */
export const COLUMN_LABELS: Record<OptionalColumn, string> = {
  agent: "Agent",
  source: "Source",
  created: "Created",
  duration: "Duration",
  tokens: "Tokens",
  cost: "Cost",
};

/**
 * The runs table's columns; `select` shows only to operators, `agent` only when the tenant has
 * more than one, the rest as the member chose. The inputs are a line under the skill, not a
 * column, so the table fits a laptop.
 */
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
    cell: ({ row }) => <StatusCell run={row.original} />,
  }),
  column.accessor((run) => run.skill.name, {
    id: "skill",
    header: "Skill",
    cell: ({ row }) => <SkillCell run={row.original} />,
  }),
  column.accessor((run) => run.agent?.name ?? "—", {
    id: "agent",
    header: COLUMN_LABELS.agent,
    cell: ({ getValue }) => <span className="block max-w-36 truncate">{getValue()}</span>,
  }),
  column.accessor("source", {
    header: COLUMN_LABELS.source,
    cell: ({ row }) => <RunSource source={row.original.source} invoker={row.original.invoker} />,
  }),
  column.accessor("createdAt", {
    id: "created",
    header: COLUMN_LABELS.created,
    cell: ({ row }) => <CreatedCell run={row.original} />,
  }),
  column.display({
    id: "duration",
    header: COLUMN_LABELS.duration,
    cell: ({ row }) => <DurationCell run={row.original} />,
  }),
  column.display({
    id: "tokens",
    header: COLUMN_LABELS.tokens,
    cell: ({ row }) => <span className="tabular-nums">{tokensOf(row.original)}</span>,
  }),
  column.accessor("costUsd", {
    id: "cost",
    header: COLUMN_LABELS.cost,
    cell: ({ row }) => <span className="tabular-nums">{costOf(row.original)}</span>,
  }),
];
