"use client";

import Link from "next/link";
import { STATUS_LABELS } from "@/components/runs/labels";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { RUN_STATUSES } from "@/lib/enums";
import { ChartPanel } from "./chart-panel";
import { SeriesChart } from "./lazy-charts";
import { historyHref, type DashboardFilters } from "./dashboard-filters";
import { bucketLabel, formatCount } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";

function SeriesTable({ data, filters }: { data: DashboardData; filters: DashboardFilters }) {
  const unit = data.bucket === "hour" ? "Hour (UTC)" : "Day (UTC)";
  return (
    <Table aria-label="Runs by status over time">
      <TableHeader>
        <TableRow>
          <TableHead scope="col">{unit}</TableHead>
          {RUN_STATUSES.map((status) => (
            <TableHead key={status} scope="col" className="text-right">
              {STATUS_LABELS[status].label}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {data.series.map((point) => (
          <TableRow key={point.at.toISOString()}>
            <TableCell>{bucketLabel(point.at, data.bucket)}</TableCell>
            {RUN_STATUSES.map((status) => (
              <TableCell key={status} className="text-right tabular-nums">
                {formatCount(point.counts[status])}
              </TableCell>
            ))}
          </TableRow>
        ))}
        <TableRow className="font-medium">
          <TableHead scope="row">Total</TableHead>
          {RUN_STATUSES.map((status) => (
            <TableCell key={status} className="text-right tabular-nums" data-status={status}>
              <Link
                href={historyHref(filters, { status: [status] })}
                className="text-link"
                aria-label={`${formatCount(data.totals.byStatus[status])} ${STATUS_LABELS[status].label.toLowerCase()}: show in the run history`}
              >
                {formatCount(data.totals.byStatus[status])}
              </Link>
            </TableCell>
          ))}
        </TableRow>
      </TableBody>
    </Table>
  );
}

/** Runs per hour or day, stacked by status; the table's totals open the history so filtered. */
export function RunsOverTime({
  data,
  filters,
}: {
  data: DashboardData;
  filters: DashboardFilters;
}) {
  return (
    <ChartPanel
      title="Runs by status"
      description={`Per ${data.bucket} (UTC), by when each run was created.`}
      chart={<SeriesChart data={data} />}
      table={<SeriesTable data={data} filters={filters} />}
    />
  );
}
