"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatInZone } from "@/components/format";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { RunStatusBadge } from "@/components/runs/run-status";
import { QueryView } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { isTerminal, type RunStatus } from "@/lib/enums";
import { ScheduleTime } from "./schedule-time";
import { useNow } from "@/components/use-now";
import { SlotOutcomeBadge, SlotStrip } from "./slot-outcome";

const LEDGER_SIZE = 50;

/** The schedule's newest slots and what became of each, polled while a slot's run can change. */
export function ScheduleLedger({ scheduleId, timezone }: { scheduleId: string; timezone: string }) {
  const trpc = useTRPC();
  const now = useNow(10_000);
  const slots = useQuery({
    ...trpc.schedules.slots.queryOptions({ scheduleId, limit: LEDGER_SIZE }),
    // Poll while a slot's run can still change.
    refetchInterval: (query) =>
      query.state.data?.some((slot) => slot.run && !isTerminal(slot.run.status))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Health ledger</CardTitle>
        <p className="text-muted-foreground text-sm">
          The last {LEDGER_SIZE} slots and what became of each.
        </p>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <QueryView
          query={slots}
          loading={<Skeleton className="h-32" />}
          errorTitle="The ledger could not be loaded"
        >
          {(ledger) => (
            <>
              <SlotStrip slots={ledger} timezone={timezone} />
              {ledger.length > 0 && (
                <Table aria-label="Slots">
                  <TableHeader>
                    <TableRow>
                      <TableHead>Slot ({timezone})</TableHead>
                      <TableHead>Outcome</TableHead>
                      <TableHead>Run</TableHead>
                      <TableHead>Why</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {ledger.map((slot) => (
                      <TableRow key={slot.id}>
                        <TableCell className="whitespace-nowrap">
                          <ScheduleTime
                            at={slot.slotAt}
                            timezone={timezone}
                            now={now}
                            layout="stacked"
                          />
                        </TableCell>
                        <TableCell>
                          <SlotOutcomeBadge outcome={slot.outcome} />
                        </TableCell>
                        <TableCell>
                          {slot.run ? (
                            <SlotRunLink
                              run={slot.run}
                              slotLabel={formatInZone(slot.slotAt, timezone, { now })}
                            />
                          ) : (
                            "—"
                          )}
                        </TableCell>
                        <TableCell className="text-muted-foreground text-xs">
                          {slot.reason ?? ""}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </>
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}

/** Named "Run of <slot>: <status>", so the visible status stays in the link's name. */
function SlotRunLink({
  run,
  slotLabel,
}: {
  run: { id: string; status: RunStatus };
  slotLabel: string;
}) {
  return (
    <Link href={`/runs/${run.id}`} className="inline-flex items-center gap-1 hover:underline">
      <span className="sr-only">Run of {slotLabel}: </span>
      <RunStatusBadge status={run.status} />
    </Link>
  );
}
