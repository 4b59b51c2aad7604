"use client";

import Link from "next/link";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { SCHEDULE_SLOT_OUTCOMES } from "@/lib/enums";
import { ChartPanel } from "./chart-panel";
import { HealthChart } from "./lazy-charts";
import { formatCount, SLOT_OUTCOMES } from "./dashboard-format";
import type { DashboardData } from "./dashboard-types";

type Health = DashboardData["schedules"];
const LISTED = 10;

function HealthTable({ health }: { health: Health }) {
  return (
    <Table aria-label="Schedule slots by outcome">
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Schedule</TableHead>
          {SCHEDULE_SLOT_OUTCOMES.map((outcome) => (
            <TableHead key={outcome} scope="col" className="text-right">
              {SLOT_OUTCOMES[outcome].label}
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
      chart={health.schedules.length ? <HealthChart health={health} listed={LISTED} /> : empty}
      table={health.schedules.length ? <HealthTable health={health} /> : empty}
    />
  );
}
