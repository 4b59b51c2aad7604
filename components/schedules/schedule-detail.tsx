"use client";

import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, Pencil, Play, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { IDLE_POLL_MS } from "@/components/polling";
import { DetailPage } from "@/components/shell/detail-page";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { retryUnlessNotFound } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { describeCadence, describeRelativeDate } from "@/lib/schedules";
import { CadencePreview } from "./cadence-preview";
import { ScheduleLedger } from "./schedule-ledger";
import { ScheduleTime } from "./schedule-time";
import { useNow } from "@/components/use-now";
import { SkillProblemAlert } from "@/components/skills/skill-problem";

export function ScheduleDetail({ scheduleId }: { scheduleId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = useNow();
  const schedule = useQuery({
    ...trpc.schedules.get.queryOptions({ scheduleId }),
    refetchInterval: (query) => (query.state.data ? IDLE_POLL_MS : false),
    retry: retryUnlessNotFound,
  });
  const invalidate = [trpc.schedules.pathKey()];
  const runNow = useToastMutation(trpc.schedules.runNow.mutationOptions(), {
    success: ({ runId }) => ({
      message: "Run started",
      link: { label: "Open", href: `/runs/${runId}` },
    }),
    invalidate,
  });
  const toggle = useToastMutation(trpc.schedules.setEnabled.mutationOptions(), { invalidate });
  const remove = useToastMutation(trpc.schedules.delete.mutationOptions(), {
    success: "Schedule deleted",
    invalidate,
    afterSuccess: () => router.push("/schedules"),
  });

  return (
    <DetailPage
      what="schedule"
      query={schedule}
      backHref="/schedules"
      description={(data) => `${describeCadence(data.cron) ?? data.cron} · ${data.timezone}`}
      actions={() => (
        <div className="flex flex-wrap gap-2">
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
      )}
    >
      {(data) => (
        <>
          <SkillProblemAlert
            problem={data.skillProblem}
            skillName={data.skill.name}
            owner="schedule"
          />
          {!data.enabled && data.disabledReason && (
            <Alert variant="destructive" className="mb-6">
              <AlertTitle>Skillrun disabled this schedule</AlertTitle>
              <AlertDescription>
                {data.disabledReason} Fix it, then enable the schedule again.
              </AlertDescription>
            </Alert>
          )}
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_26rem]">
            <ScheduleLedger scheduleId={scheduleId} timezone={data.timezone} />
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
                    onChange={(event) =>
                      toggle.mutate({ scheduleId, enabled: event.target.checked })
                    }
                  />
                  <Label htmlFor="schedule-enabled">Enabled</Label>
                </div>
                <p>
                  Runs{" "}
                  <Link href={`/skills/${data.skill.slug}`} className="text-link">
                    {data.skill.name}
                  </Link>{" "}
                  with{" "}
                  {data.agent ? (
                    <Link href={`/agents/${data.agent.id}`} className="text-link">
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
                  {data.nextFireAt ? (
                    <ScheduleTime at={data.nextFireAt} timezone={data.timezone} now={now} />
                  ) : (
                    "none while disabled"
                  )}
                </p>
                <div>
                  <p className="font-medium">Inputs</p>
                  <ul className="mt-1 text-xs break-words">
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
          <ConfirmDialog
            open={confirmDelete}
            onOpenChange={setConfirmDelete}
            title={<>Delete “{data.name}”?</>}
            description="The schedule and its ledger go; the runs it started stay in the history."
            cancelLabel="Keep it"
            confirmLabel="Delete schedule"
            onConfirm={() => remove.mutate({ scheduleId })}
          />
        </>
      )}
    </DetailPage>
  );
}
