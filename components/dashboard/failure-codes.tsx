"use client";

import Link from "next/link";
import { FAILURE_LABELS } from "@/components/runs/labels";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { ChartPanel } from "./chart-panel";
import { CodesChart } from "./lazy-charts";
import { historyHref, type DashboardFilters } from "./dashboard-filters";
import { formatCount } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";
import { NoRuns } from "./usage-panel";

type Codes = DashboardData["totals"]["failureCodes"];

function CodesTable({ codes, filters }: { codes: Codes; filters: DashboardFilters }) {
  return (
    <Table aria-label="Failed runs by failure code">
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Failure</TableHead>
          <TableHead scope="col" className="text-right">
            Failed runs
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {codes.map(({ code, runs }) => (
          <TableRow key={code}>
            <TableHead scope="row" className="font-normal">
              {FAILURE_LABELS[code].label}{" "}
              <code className="text-muted-foreground text-xs">{code}</code>
            </TableHead>
            <TableCell className="text-right tabular-nums">
              <Link
                href={historyHref(filters, { status: ["failed"], failure: code })}
                className="text-link"
                aria-label={`${formatCount(runs)} failed with ${FAILURE_LABELS[code].label}: show in the run history`}
              >
                {formatCount(runs)}
              </Link>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The window's most frequent failure codes, each a link to those runs. */
export function FailureCodes({
  data,
  filters,
}: {
  data: DashboardData;
  filters: DashboardFilters;
}) {
  const codes = data.totals.failureCodes;
  const none = (
    <p className="text-muted-foreground py-8 text-center text-sm">No failed runs in this window.</p>
  );
  return (
    <ChartPanel
      title="Top failure codes"
      description="Failed runs by the reason they failed."
      chart={codes.length ? <CodesChart codes={codes} /> : data.totals.runs ? none : <NoRuns />}
      table={codes.length ? <CodesTable codes={codes} filters={filters} /> : none}
    />
  );
}
