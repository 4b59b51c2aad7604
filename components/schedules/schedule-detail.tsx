"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Pencil, Play, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { IDLE_POLL_MS, LIVE_POLL_MS } from "@/components/polling";
import { isTerminal } from "@/lib/enums";
import { RunStatusBadge } from "@/components/runs/run-status";
import { PageHeader } from "@/components/shell/page-header";
import { QueryError } from "@/components/shell/query-error";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { describeCadence, describeRelativeDate } from "@/lib/schedules";
import { CadencePreview } from "./cadence-preview";
import { SlotOutcomeBadge, SlotStrip } from "./slot-outcome";

const LEDGER_SIZE = 50;

export function ScheduleDetail({ scheduleId }: { scheduleId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can } = useTenantRole();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const schedule = useQuery({
    ...trpc.schedules.get.queryOptions({ scheduleId }),
    refetchInterval: (query) => (query.state.data ? IDLE_POLL_MS : false),
    retry: (count, error) =>
      error.data?.code !== "NOT_FOUND" && error.data?.code !== "BAD_REQUEST" && count < 2,
  });
  const slots = useQuery({
    ...trpc.schedules.slots.queryOptions({ scheduleId, limit: LEDGER_SIZE }),
    enabled: schedule.isSuccess,
    // Poll while a slot's run can still change.
    refetchInterval: (query) =>
      query.state.data?.some((slot) => slot.run && !isTerminal(slot.run.status))
        ? LIVE_POLL_MS
        : IDLE_POLL_MS,
  });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.schedules.pathKey() });
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onSuccess: async ({ runId }) => {
        toast.success("Run started", {
          action: { label: "Open", onClick: () => router.push(`/runs/${runId}`) },
        });
        await invalidate();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const toggle = useMutation(
    trpc.schedules.setEnabled.mutationOptions({
      onSuccess: invalidate,
      onError: (error) => toast.error(error.message),
    }),
  );
  const remove = useMutation(
    trpc.schedules.delete.mutationOptions({
      onSuccess: async () => {
        toast.success("Schedule deleted");
        await invalidate();
        router.push("/schedules");
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  if (schedule.isPending) return <Skeleton className="h-96" aria-label="Loading schedule" />;
  if (schedule.isError) {
    if (schedule.error.data?.code === "NOT_FOUND" || schedule.error.data?.code === "BAD_REQUEST") {
      return (
        <p className="border-border rounded-lg border border-dashed px-6 py-16 text-center">
          Schedule not found.{" "}
          <Link href="/schedules" className="text-primary hover:underline">
            Back to schedules
          </Link>
        </p>
      );
    }
    return <QueryError title="The schedule could not be loaded" query={schedule} />;
  }
  const data = schedule.data;

  return (
    <>
      <PageHeader
        title={data.name}
        description={`${describeCadence(data.cron) ?? data.cron} · ${data.timezone}`}
        actions={
          <div className="flex gap-2">
            {can("operator") && (
              <Button onClick={() => runNow.mutate({ scheduleId })} disabled={runNow.isPending}>
                {runNow.isPending ? (
                  <LoaderCircle aria-hidden className="animate-spin" />
                ) : (
                  <Play aria-hidden />
                )}
                Run now
              </Button>
            )}
            {can("admin") && (
              <>
                <Button variant="outline" asChild>
                  <Link href={`/schedules/${scheduleId}/edit`}>
                    <Pencil aria-hidden />
                    Edit
                  </Link>
                </Button>
                <Button variant="outline" onClick={() => setConfirmDelete(true)}>
                  <Trash2 aria-hidden />
                  Delete
                </Button>
              </>
            )}
          </div>
        }
      />
      {!data.enabled && data.disabledReason && (
        <Alert variant="destructive" className="mb-6">
          <AlertTitle>Skillrun disabled this schedule</AlertTitle>
          <AlertDescription>
            {data.disabledReason} Fix it, then enable the schedule again.
          </AlertDescription>
        </Alert>
      )}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <Card>
          <CardHeader>
            <CardTitle>Health ledger</CardTitle>
            <p className="text-muted-foreground text-sm">
              The last {LEDGER_SIZE} slots and what became of each.
            </p>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            {slots.isPending ? (
              <Skeleton className="h-32" />
            ) : slots.isError ? (
              <QueryError title="The ledger could not be loaded" query={slots} />
            ) : (
              <>
                <SlotStrip slots={slots.data} />
                {slots.data.length > 0 && (
                  <Table aria-label="Slots">
                    <TableHeader>
                      <TableRow>
                        <TableHead>Slot</TableHead>
                        <TableHead>Outcome</TableHead>
                        <TableHead>Run</TableHead>
                        <TableHead>Why</TableHead>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {slots.data.map((slot) => (
                        <TableRow key={slot.id}>
                          <TableCell className="whitespace-nowrap">
                            <time
                              dateTime={slot.slotAt.toISOString()}
                              title={formatAbsolute(slot.slotAt)}
                            >
                              {formatAbsolute(slot.slotAt)}
                            </time>
                          </TableCell>
                          <TableCell>
                            <SlotOutcomeBadge outcome={slot.outcome} />
                          </TableCell>
                          <TableCell>
                            {slot.run ? (
                              <Link
                                href={`/runs/${slot.run.id}`}
                                className="inline-flex items-center gap-1 hover:underline"
                                aria-label={`Run of ${formatAbsolute(slot.slotAt)}`}
                              >
                                <RunStatusBadge status={slot.run.status} />
                              </Link>
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
          </CardContent>
        </Card>
        <Card className="self-start">
          <CardHeader>
            <CardTitle>Schedule</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 text-sm">
            <div className="flex items-center gap-2">
              <Checkbox
                id="schedule-enabled"
                checked={data.enabled}
                disabled={!can("admin") || toggle.isPending}
                onChange={(event) => toggle.mutate({ scheduleId, enabled: event.target.checked })}
              />
              <Label htmlFor="schedule-enabled">Enabled</Label>
            </div>
            <p>
              Runs{" "}
              <Link href={`/skills/${data.skill.slug}`} className="text-primary hover:underline">
                {data.skill.name}
              </Link>{" "}
              with{" "}
              {data.agent ? (
                <Link href={`/agents/${data.agent.id}`} className="text-primary hover:underline">
                  {data.agent.name}
                </Link>
              ) : data.usesDefaultAgent ? (
                "the tenant's default agent"
              ) : (
                "a deleted agent"
              )}
              {data.overlapPolicy === "skip"
                ? "; skips a slot while its previous run is going."
                : "; starts a run at every slot."}
            </p>
            <p>
              Next fire:{" "}
              {data.nextFireAt
                ? `${formatRelative(data.nextFireAt)} (${formatAbsolute(data.nextFireAt)})`
                : "none while disabled"}
            </p>
            <div>
              <p className="font-medium">Inputs</p>
              <ul className="mt-1 text-xs">
                {Object.entries(data.inputs).map(([name, value]) => (
                  <li key={name}>
                    <code className="font-mono">{name}</code>:{" "}
                    {value.kind === "literal"
                      ? JSON.stringify(value.value)
                      : describeRelativeDate(value)}
                  </li>
                ))}
                {Object.keys(data.inputs).length === 0 && (
                  <li className="text-muted-foreground">none</li>
                )}
              </ul>
            </div>
            {data.enabled && <CadencePreview cron={data.cron} timezone={data.timezone} />}
          </CardContent>
        </Card>
      </div>
      <AlertDialog open={confirmDelete} onOpenChange={setConfirmDelete}>
        <AlertDialogContent>
          <AlertDialogTitle>Delete “{data.name}”?</AlertDialogTitle>
          <AlertDialogDescription>
            The schedule and its ledger go; the runs it started stay in the history.
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep it</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => remove.mutate({ scheduleId })}>
              Delete schedule
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
