"use client";

import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { SCHEDULE_SLOT_OUTCOMES, type ScheduleSlotOutcome } from "@/lib/enums";
import { SLOT_HEALTH_TEXT } from "@/lib/schedules";
import { AXIS, ChartPanel, TOOLTIP } from "./chart-panel";
import { formatCount } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";

/** The ledger's words (a slot that could not start a run is "Not started", not a failed run). */
const OUTCOMES: Record<ScheduleSlotOutcome, { label: string; colour: string }> = {
  fired: { label: "Fired", colour: "var(--color-success)" },
  skipped: { label: SLOT_HEALTH_TEXT.skipped.label, colour: "var(--color-warning)" },
  missed: { label: SLOT_HEALTH_TEXT.missed.label, colour: "var(--color-muted-foreground)" },
  failed: { label: SLOT_HEALTH_TEXT.not_started.label, colour: "var(--color-destructive)" },
};

type Health = DashboardData["schedules"];
const LISTED = 10;

function HealthChart({ health }: { health: Health }) {
  const rows = health.schedules.slice(0, LISTED);
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
          name={OUTCOMES[outcome].label}
          stackId="slots"
          fill={OUTCOMES[outcome].colour}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}

function HealthTable({ health }: { health: Health }) {
  return (
    <Table aria-label="Schedule slots by outcome">
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Schedule</TableHead>
          {SCHEDULE_SLOT_OUTCOMES.map((outcome) => (
            <TableHead key={outcome} scope="col" className="text-right">
              {OUTCOMES[outcome].label}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {health.schedules.slice(0, LISTED).map((schedule) => (
          <TableRow key={schedule.id}>
            <TableHead scope="row" className="font-normal">
              <Link href={`/schedules/${schedule.id}`} className="text-link">
                {schedule.name}
              </Link>
            </TableHead>
            {SCHEDULE_SLOT_OUTCOMES.map((outcome) => (
              <TableCell key={outcome} className="text-right tabular-nums">
                {formatCount(schedule[outcome])}
              </TableCell>
            ))}
          </TableRow>
        ))}
        <TableRow className="font-medium">
          <TableHead scope="row">All schedules</TableHead>
          {SCHEDULE_SLOT_OUTCOMES.map((outcome) => (
            <TableCell key={outcome} className="text-right tabular-nums">
              {formatCount(health.totals[outcome])}
            </TableCell>
          ))}
        </TableRow>
      </TableBody>
    </Table>
  );
}

/** Slots the schedules' ledger recorded in the window: fired, skipped, missed, not started. */
export function ScheduleHealth({ data }: { data: DashboardData }) {
  const health = data.schedules;
  const { fired, skipped, missed, failed } = health.totals;
  const empty = (
    <p className="text-muted-foreground py-8 text-center text-sm">
      No schedule slots in this window.
    </p>
  );
  return (
    <ChartPanel
      title="Schedule health"
      description={`${formatCount(fired)} fired · ${formatCount(skipped)} skipped · ${formatCount(missed)} missed · ${formatCount(failed)} not started; most trouble first.`}
      chart={health.schedules.length ? <HealthChart health={health} /> : empty}
      table={health.schedules.length ? <HealthTable health={health} /> : empty}
    />
  );
}
