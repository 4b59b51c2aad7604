"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { ChartPanel } from "./chart-panel";
import { UsageChart } from "./lazy-charts";
import { historyHref, type DashboardFilters } from "./dashboard-filters";
import { formatCost, formatCount, formatTokens } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";

type Grouping = "skill" | "agent" | "model";
type Line = DashboardData["usage"]["bySkill"][number];
const GROUPINGS: { value: Grouping; label: string }[] = [
  { value: "skill", label: "Skill" },
  { value: "agent", label: "Agent" },
  { value: "model", label: "Model" },
];
const linesOf = (data: DashboardData, grouping: Grouping): Line[] =>
  grouping === "skill"
    ? data.usage.bySkill
    : grouping === "agent"
      ? data.usage.byAgent
      : data.usage.byModel;

/** Where a line's runs are in the history: skills and agents are filters there, models are not. */
function lineHref(filters: DashboardFilters, grouping: Grouping, line: Line) {
  if (!line.id || grouping === "model") return null;
  return historyHref(filters, grouping === "skill" ? { skill: line.id } : { agent: line.id });
}

function UsageTable({
  lines,
  grouping,
  filters,
}: {
  lines: Line[];
  grouping: Grouping;
  filters: DashboardFilters;
}) {
  return (
    <Table aria-label={`Tokens and cost by ${grouping}`}>
      <TableHeader>
        <TableRow>
          <TableHead scope="col">{GROUPINGS.find((g) => g.value === grouping)?.label}</TableHead>
          <TableHead scope="col" className="text-right">
            Runs
          </TableHead>
          <TableHead scope="col" className="text-right">
            Input tokens
          </TableHead>
          <TableHead scope="col" className="text-right">
            Output tokens
          </TableHead>
          <TableHead scope="col" className="text-right">
            Cost
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {lines.map((line) => {
          const href = lineHref(filters, grouping, line);
          return (
            <TableRow key={line.id ?? "none"}>
              <TableHead scope="row" className="font-normal">
                {line.name}
              </TableHead>
              <TableCell className="text-right tabular-nums">
                {href ? (
                  <Link
                    href={href}
                    className="text-link"
                    aria-label={`${formatCount(line.runs)} runs of ${line.name}: show in the run history`}
                  >
                    {formatCount(line.runs)}
                  </Link>
                ) : (
                  formatCount(line.runs)
                )}
              </TableCell>
              <TableCell className="text-right tabular-nums">
                {formatTokens(line.inputTokens)}
              </TableCell>
              <TableCell className="text-right tabular-nums">
                {formatTokens(line.outputTokens)}
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatCost(line.costUsd)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** Tokens and cost of the window's runs by skill, agent or model, costliest first. */
export function UsagePanel({ data, filters }: { data: DashboardData; filters: DashboardFilters }) {
  const [grouping, setGrouping] = useState<Grouping>("skill");
  const lines = linesOf(data, grouping);
  return (
    <ChartPanel
      title="Tokens and cost"
      description={`By ${grouping}, costliest first.`}
      actions={
        <div className="flex" role="group" aria-label="Group by">
          {GROUPINGS.map(({ value, label }, index) => (
            <Button
              key={value}
              size="sm"
              variant={grouping === value ? "outline" : "ghost"}
              aria-pressed={grouping === value}
              className={index === 0 ? "" : "ml-1"}
              onClick={() => setGrouping(value)}
            >
              {label}
            </Button>
          ))}
        </div>
      }
      chart={lines.length ? <UsageChart lines={lines} /> : <NoRuns />}
      table={<UsageTable lines={lines} grouping={grouping} filters={filters} />}
    />
  );
}

export const NoRuns = () => (
  <p className="text-muted-foreground py-8 text-center text-sm">No runs in this window.</p>
);
