"use client";

import { useQuery } from "@tanstack/react-query";
import { CalendarClock, Plus } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import {
  describeCadence,
  failingStreakLabel,
  isPendingHealth,
  type SlotHealth,
} from "@/lib/schedules";
import { ScheduleTime } from "./schedule-time";
import { useNow } from "@/components/use-now";
import { SlotHealthBadge } from "./slot-outcome";
import { SkillProblemBadge } from "@/components/skills/skill-problem";

export function ScheduleList() {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const now = useNow();
  const schedules = useQuery({
    ...trpc.schedules.list.queryOptions(),
    // Poll while a last slot's run can still change, so "Running" becomes how it ended.
    refetchInterval: (query) =>
      query.state.data?.some(
        (schedule) => schedule.lastSlot && isPendingHealth(schedule.lastSlot.health),
      )
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  const toggle = useToastMutation(trpc.schedules.setEnabled.mutationOptions(), {
    success: (_, variables) => (variables.enabled ? "Schedule enabled" : "Schedule disabled"),
    invalidate: [trpc.schedules.pathKey()],
  });

  return (
    <>
      <PageHeader
        title="Schedules"
        description="Skills that run on a cadence, in the timezone you choose."
        actions={
          can("admin") && (
            <Button asChild>
              <Link href="/schedules/new">
                <Plus aria-hidden />
                New schedule
              </Link>
            </Button>
          )
        }
      />
      <QueryView
        query={schedules}
        loading={<Skeleton className="h-48" aria-label="Loading schedules" />}
        errorTitle="Schedules could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
            <CalendarClock className="text-muted-foreground mb-3 size-8" aria-hidden />
            <p className="font-medium">No schedules yet</p>
            <p className="text-muted-foreground mt-1 text-sm">
              {can("admin")
                ? "Create one to run a skill every weekday morning, every hour, or once a month."
                : "An admin of this tenant can create one."}
            </p>
          </div>
        }
      >
        {(list) => (
          <Table aria-label="Schedules">
            <TableHeader>
              <TableRow>
                <TableHead>Schedule</TableHead>
                <TableHead className="hidden md:table-cell">Cadence</TableHead>
                <TableHead className="hidden md:table-cell">Next fire</TableHead>
                <TableHead>Last slot</TableHead>
                <TableHead>Enabled</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((schedule) => (
                <TableRow key={schedule.id} data-schedule-id={schedule.id}>
                  <TableCell className="align-top md:align-middle">
                    <Link
                      href={`/schedules/${schedule.id}`}
                      className="font-medium hover:underline"
                    >
                      {schedule.name}
                    </Link>
                    <div className="text-muted-foreground text-xs">
                      {schedule.skill.name} ·{" "}
                      {schedule.agent?.name ??
                        (schedule.usesDefaultAgent ? "default agent" : "agent deleted")}
                    </div>
                    <SkillProblemBadge problem={schedule.skillProblem} />
                    {/* Below md the cadence and the next fire stack here instead of in columns. */}
                    <div className="mt-1 text-xs md:hidden">
                      <div>{describeCadence(schedule.cron) ?? schedule.cron}</div>
                      {schedule.nextFireAt && (
                        <div>
                          Next:{" "}
                          <ScheduleTime
                            at={schedule.nextFireAt}
                            timezone={schedule.timezone}
                            now={now}
                          />
                        </div>
                      )}
                    </div>
                  </TableCell>
                  <TableCell className="hidden md:table-cell">
                    <div>{describeCadence(schedule.cron) ?? schedule.cron}</div>
                    <div className="text-muted-foreground text-xs">
                      <code className="font-mono">{schedule.cron}</code> · {schedule.timezone}
                    </div>
                  </TableCell>
                  <TableCell className="hidden md:table-cell">
                    {schedule.nextFireAt ? (
                      <ScheduleTime
                        at={schedule.nextFireAt}
                        timezone={schedule.timezone}
                        now={now}
                        layout="stacked"
                      />
                    ) : (
                      <span className="text-muted-foreground">
                        {schedule.enabled ? "—" : "none while disabled"}
                      </span>
                    )}
                  </TableCell>
                  <TableCell className="align-top md:align-middle">
                    <LastSlot
                      lastSlot={schedule.lastSlot}
                      at={schedule.lastSlotAt}
                      timezone={schedule.timezone}
                      now={now}
                    />
                  </TableCell>
                  <TableCell className="align-top md:align-middle">
                    <div className="flex flex-wrap items-center gap-2">
                      <Checkbox
                        aria-label={`${schedule.enabled ? "Disable" : "Enable"} ${schedule.name}`}
                        checked={schedule.enabled}
                        disabled={!can("admin") || toggle.isPending}
                        onChange={(event) =>
                          toggle.mutate({ scheduleId: schedule.id, enabled: event.target.checked })
                        }
                      />
                      {!schedule.enabled && schedule.disabledReason && (
                        <Badge variant="danger">Disabled by Skillrun</Badge>
                      )}
                    </div>
                    {!schedule.enabled && schedule.disabledReason && (
                      <p className="text-destructive mt-1 max-w-64 text-xs">
                        {schedule.disabledReason}
                      </p>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryView>
    </>
  );
}

/** The newest slot's health, and a failing streak when the last runs failed in a row. */
function LastSlot({
  lastSlot,
  at,
  timezone,
  now,
}: {
  lastSlot: { health: SlotHealth; failingStreak: number } | null;
  at: Date | null;
  timezone: string;
  now: number;
}) {
  if (!lastSlot) return <span className="text-muted-foreground">never fired</span>;
  const streak = failingStreakLabel(lastSlot.failingStreak);
  return (
    <>
      <SlotHealthBadge health={lastSlot.health} />
      {at && (
        <div className="text-muted-foreground mt-1 text-xs">
          <ScheduleTime at={at} timezone={timezone} now={now} layout="stacked" />
        </div>
      )}
      {streak && <div className="text-destructive mt-1 text-xs">{streak}</div>}
    </>
  );
}
