"use client";

/**
 * Every dashboard chart, in one module the panels load lazily (lazy-charts.tsx): recharts is
 * about 125 KB gzipped, and the page's first load stays within the console's bundle budget.
 */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { FAILURE_LABELS, STATUS_LABELS } from "@/components/runs/labels";
import { RUN_STATUSES, SCHEDULE_SLOT_OUTCOMES } from "@/lib/enums";
import { bucketLabel, formatCost, SLOT_OUTCOMES, STATUS_COLOURS } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";

type Line = DashboardData["usage"]["bySkill"][number];
type Codes = DashboardData["totals"]["failureCodes"];
type Health = DashboardData["schedules"];

/** Chart styling from the theme's tokens, so light and dark both read. */
const AXIS = {
  stroke: "var(--color-border)",
  tick: { fill: "var(--color-muted-foreground)", fontSize: 12 },
  tickLine: false,
} as const;
const TOOLTIP = {
  contentStyle: {
    background: "var(--color-popover)",
    border: "1px solid var(--color-border)",
    borderRadius: 6,
    color: "var(--color-foreground)",
    fontSize: 12,
  },
  cursor: { fill: "var(--color-muted)" },
} as const;

export function SeriesChart({ data }: { data: DashboardData }) {
  const points = data.series.map((point) => ({
    label: bucketLabel(point.at, data.bucket),
    ...point.counts,
  }));
  return (
    <BarChart
      responsive
      accessibilityLayer={false}
      data={points}
      style={{ width: "100%", height: 260 }}
    >
      <CartesianGrid vertical={false} stroke="var(--color-border)" />
      <XAxis dataKey="label" {...AXIS} minTickGap={16} />
      <YAxis {...AXIS} allowDecimals={false} width={40} />
      <Tooltip {...TOOLTIP} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {RUN_STATUSES.map((status) => (
        <Bar
          key={status}
          dataKey={status}
          name={STATUS_LABELS[status].label}
          stackId="runs"
          fill={STATUS_COLOURS[status]}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}

export function UsageChart({ lines }: { lines: Line[] }) {
  return (
    <BarChart
      responsive
      accessibilityLayer={false}
      layout="vertical"
      data={lines.map((line) => ({ name: line.name, cost: line.costUsd }))}
      style={{ width: "100%", height: Math.max(120, 36 * lines.length + 40) }}
    >
      <CartesianGrid horizontal={false} stroke="var(--color-border)" />
      <XAxis type="number" {...AXIS} tickFormatter={(value: number) => formatCost(value)} />
      <YAxis type="category" dataKey="name" {...AXIS} width={160} />
      <Tooltip {...TOOLTIP} formatter={(value) => formatCost(Number(value))} />
      <Bar dataKey="cost" name="Cost" fill="var(--color-primary)" isAnimationActive={false} />
    </BarChart>
  );
}

export function CodesChart({ codes }: { codes: Codes }) {
  return (
    <BarChart
      responsive
      accessibilityLayer={false}
      layout="vertical"
      data={codes.map((code) => ({ name: FAILURE_LABELS[code.code].label, runs: code.runs }))}
      style={{ width: "100%", height: Math.max(120, 36 * codes.length + 40) }}
    >
      <CartesianGrid horizontal={false} stroke="var(--color-border)" />
      <XAxis type="number" {...AXIS} allowDecimals={false} />
      <YAxis type="category" dataKey="name" {...AXIS} width={160} />
      <Tooltip {...TOOLTIP} />
      <Bar
        dataKey="runs"
        name="Failed runs"
        fill="var(--color-destructive)"
        isAnimationActive={false}
      />
    </BarChart>
  );
}

export function HealthChart({ health, listed }: { health: Health; listed: number }) {
  const rows = health.schedules.slice(0, listed);
  return (
    <BarChart
      responsive
      accessibilityLayer={false}
      layout="vertical"
      data={rows}
      style={{ width: "100%", height: Math.max(120, 36 * rows.length + 60) }}
    >
      <CartesianGrid horizontal={false} stroke="var(--color-border)" />
      <XAxis type="number" {...AXIS} allowDecimals={false} />
      <YAxis type="category" dataKey="name" {...AXIS} width={160} />
      <Tooltip {...TOOLTIP} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {SCHEDULE_SLOT_OUTCOMES.map((outcome) => (
        <Bar
          key={outcome}
          dataKey={outcome}
          name={SLOT_OUTCOMES[outcome].label}
          stackId="slots"
          fill={SLOT_OUTCOMES[outcome].colour}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}
