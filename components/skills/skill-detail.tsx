"use client";

import { useQuery } from "@tanstack/react-query";
import { CalendarClock, History, Play } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { FeedbackRollupCard } from "@/components/feedback/feedback-rollup";
import { Markdown } from "@/components/markdown";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { RunLabel } from "@/components/runs/run-label";
import { useRunNow } from "@/components/shell/run-now-provider";
import { RunStatusBadge } from "@/components/runs/run-status";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { inputFieldsOf } from "@/lib/skill-inputs";
import { ScheduleTime } from "@/components/schedules/schedule-time";
import { useNow } from "@/components/use-now";
import { SkillExportButton } from "./skill-export-button";
import { SkillActions, usersSentence, type SkillForActions } from "./skill-actions";
import { SkillInputsTable } from "./skill-inputs-table";
import { SkillProblemBadge } from "./skill-problem";
import { SkillVersions } from "./skill-versions";

export function SkillDetail({ slug }: { slug: string }) {
  const now = useNow(15_000);
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const runNow = useRunNow();
  const skill = useQuery(trpc.skills.get.queryOptions({ slug }));
  const skillId = skill.data?.id;
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({ skillId, limit: 5 }),
    enabled: Boolean(skillId),
  });
  const schedules = useQuery({
    ...trpc.schedules.list.queryOptions({ skillId }),
    enabled: Boolean(skillId),
  });
  const fields = useMemo(
    () => (skill.data ? inputFieldsOf(skill.data.inputsSchema) : []),
    [skill.data],
  );

  return (
    <QueryView
      query={skill}
      loading={
        <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading skill">
          <Skeleton className="h-10 w-1/3" />
          <Skeleton className="h-40" />
          <Skeleton className="h-64" />
        </div>
      }
      errorTitle="The skill could not be loaded"
    >
      {(data) => (
        <>
          <PageHeader
            title={data.name}
            description={data.description}
            actions={
              <>
                <SkillExportButton slug={data.slug} />
                {can("operator") && data.enabled && (
                  <Button onClick={() => runNow.open({ skillSlug: data.slug })}>
                    <Play aria-hidden />
                    Run now
                  </Button>
                )}
                <SkillActions skill={data} />
              </>
            }
          />
          {!data.enabled && <DisabledSkillAlert usedBy={data.usedBy} />}
          <p className="text-muted-foreground -mt-4 mb-6 flex flex-wrap items-center gap-2 text-xs">
            <Badge variant="outline">{data.origin === "builtin" ? "Built-in" : "Tenant"}</Badge>
            {!data.enabled && <Badge variant="warning">Disabled</Badge>}
            <span>
              version <code className="font-mono">{data.versionHash.slice(0, 12)}</code>
            </span>
            <span aria-hidden>·</span>
            <time dateTime={data.updatedAt.toISOString()} title={formatAbsolute(data.updatedAt)}>
              changed {formatRelative(data.updatedAt)}
            </time>
            {data.referenceFiles.length > 0 && (
              <>
                <span aria-hidden>·</span>
                <span>references: {data.referenceFiles.join(", ")}</span>
              </>
            )}
          </p>
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
            <div className="flex min-w-0 flex-col gap-6">
              <Card>
                <CardHeader>
                  <CardTitle>Inputs</CardTitle>
                </CardHeader>
                <CardContent>
                  {fields.length === 0 ? (
                    <p className="text-muted-foreground text-sm">This skill takes no inputs.</p>
                  ) : (
                    <SkillInputsTable fields={fields} />
                  )}
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle>Instructions</CardTitle>
                </CardHeader>
                <CardContent>
                  <Markdown>{withoutTitle(data.instructions, data.name)}</Markdown>
                </CardContent>
              </Card>
              <SkillVersions skill={data} />
            </div>
            <div className="flex flex-col gap-6">
              <FeedbackRollupCard scope={{ skillId: data.id }} />
              <Card>
                <CardHeader>
                  <CardTitle className="flex items-center gap-2">
                    <History className="size-4" aria-hidden /> Recent runs
                  </CardTitle>
                </CardHeader>
                <CardContent>
                  <QueryView
                    query={runs}
                    loading={<Skeleton className="h-24" />}
                    errorTitle="Runs could not be loaded"
                    isEmpty={(page) => page.runs.length === 0}
                    empty={
                      <p className="text-muted-foreground text-sm">No runs of this skill yet.</p>
                    }
                  >
                    {(page) => (
                      <ul className="divide-border flex flex-col divide-y text-sm">
                        {page.runs.map((run) => (
                          <li key={run.id} className="flex items-center gap-2 py-2">
                            <RunStatusBadge status={run.status} />
                            <Link
                              href={`/runs/${run.id}`}
                              className="min-w-0 flex-1 hover:underline"
                            >
                              <RunLabel run={run} />
                            </Link>
                            <span className="text-muted-foreground shrink-0 text-xs">
                              {formatRelative(run.createdAt)}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </QueryView>
                  <Link
                    href={`/runs?skill=${data.id}`}
                    className="text-link mt-3 inline-block text-sm"
                  >
                    All runs of this skill
                  </Link>
                </CardContent>
              </Card>
              <Card>
                <CardHeader>
                  <CardTitle className="flex items-center gap-2">
                    <CalendarClock className="size-4" aria-hidden /> Schedules
                  </CardTitle>
                </CardHeader>
                <CardContent>
                  <QueryView
                    query={schedules}
                    loading={<Skeleton className="h-16" />}
                    errorTitle="Schedules could not be loaded"
                    isEmpty={(list) => list.length === 0}
                    empty={
                      <p className="text-muted-foreground text-sm">No schedule runs this skill.</p>
                    }
                  >
                    {(list) => (
                      <ul className="divide-border flex flex-col divide-y text-sm">
                        {list.map((schedule) => (
                          <li key={schedule.id} className="py-2">
                            <div className="flex items-center justify-between gap-2">
                              <Link
                                href={`/schedules/${schedule.id}`}
                                className="font-medium hover:underline"
                              >
                                {schedule.name}
                              </Link>
                              <span className="flex gap-1">
                                <SkillProblemBadge problem={schedule.skillProblem} />
                                <Badge variant={schedule.enabled ? "success" : "outline"}>
                                  {schedule.enabled ? "Enabled" : "Disabled"}
                                </Badge>
                              </span>
                            </div>
                            <div className="text-muted-foreground text-xs">
                              <code className="font-mono">{schedule.cron}</code> ·{" "}
                              {schedule.timezone}
                              {schedule.agent ? ` · ${schedule.agent.name}` : ""}
                              {schedule.nextFireAt && (
                                <>
                                  {" "}
                                  · next{" "}
                                  <ScheduleTime
                                    at={schedule.nextFireAt}
                                    timezone={schedule.timezone}
                                    now={now}
                                  />
                                </>
                              )}
                            </div>
                          </li>
                        ))}
                      </ul>
                    )}
                  </QueryView>
                  {can("admin") && (
                    <Link
                      href={`/schedules/new?skill=${data.slug}`}
                      className="text-link mt-3 inline-block text-sm"
                    >
                      Schedule this skill
                    </Link>
                  )}
                </CardContent>
              </Card>
            </div>
          </div>
        </>
      )}
    </QueryView>
  );
}

/** The instructions without a leading `# <skill name>`: the page's own title already says it. */
function withoutTitle(instructions: string, name: string): string {
  const [first = "", ...rest] = instructions.trimStart().split("\n");
  const heading = /^#\s+(.*?)\s*#*$/.exec(first)?.[1];
  return heading?.toLowerCase() === name.toLowerCase() ? rest.join("\n") : instructions;
}

/** A disabled skill starts no runs: say so, and who is affected. */
function DisabledSkillAlert({ usedBy }: { usedBy: SkillForActions["usedBy"] }) {
  const users = usersSentence(usedBy);
  return (
    <Alert variant="warning" className="mb-6">
      <AlertTitle>This skill is disabled</AlertTitle>
      <AlertDescription>
        It cannot start runs until an admin enables it.
        {users ? ` ${users[0]?.toUpperCase()}${users.slice(1)} cannot run it meanwhile.` : ""}
      </AlertDescription>
    </Alert>
  );
}
