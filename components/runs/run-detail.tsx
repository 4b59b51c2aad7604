"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Ban, LoaderCircle, Pencil, RotateCcw, SearchX } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { ConfigList, listOrNone } from "@/components/agents/config-view";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
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
import { Skeleton } from "@/components/ui/skeleton";
import type { AgentRuntimeConfig } from "@/server/services/catalog/agent-config";
import { Deliverable } from "./deliverable";
import { failureHint } from "./failure-hints";
import { formatAbsolute, formatDuration, formatRelative } from "@/components/format";
import { LIVE_POLL_MS } from "@/components/polling";
import { formatCost, formatTokens, runDuration } from "./format";
import { isTerminal } from "@/lib/enums";
import { useRunNow } from "@/components/shell/run-now-provider";
import { SOURCE_LABELS } from "./run-source";
import { RunStatusBadge } from "./run-status";
import { RunTimeline } from "./run-timeline";

export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const runNow = useRunNow();
  const { can } = useTenantRole();
  const [confirmCancel, setConfirmCancel] = useState(false);

  const run = useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (query) =>
      !query.state.data || (isTerminal(query.state.data.status) && !query.state.data.usagePending)
        ? false
        : LIVE_POLL_MS,
    retry: (count, error) =>
      error.data?.code !== "NOT_FOUND" && error.data?.code !== "BAD_REQUEST" && count < 2,
  });
  const terminal = run.data ? isTerminal(run.data.status) : false;
  // Settled: nothing on the page changes any more (a cancelled run's usage arrives after its status).
  const settled = terminal && !run.data?.usagePending;
  const events = useQuery({
    ...trpc.runs.events.queryOptions({ runId }),
    enabled: run.isSuccess,
    refetchInterval: settled ? false : LIVE_POLL_MS,
  });
  // The poll that sees the run settle may predate the final events: fetch them once more.
  const { refetch: refetchEvents } = events;
  useEffect(() => {
    if (settled) void refetchEvents();
  }, [settled, refetchEvents]);

  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ runId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.runs.events.queryKey({ runId }) }),
    ]);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: async () => {
        toast.success("Run cancelled");
        await invalidate();
      },
      onError: async (error) => {
        toast.error(error.message);
        await invalidate();
      },
    }),
  );
  const rerun = useMutation(
    trpc.runs.rerun.mutationOptions({
      onSuccess: async (started) => {
        toast.success(
          started.skillChangedSinceOriginal
            ? "Re-run started with the skill's current version"
            : "Re-run started",
        );
        await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
        router.push(`/runs/${started.runId}`);
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  if (run.isPending) {
    return (
      <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading run">
        <Skeleton className="h-10 w-1/2" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (run.isError) {
    if (run.error.data?.code === "NOT_FOUND" || run.error.data?.code === "BAD_REQUEST") {
      return (
        <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
          <SearchX className="text-muted-foreground mb-3 size-8" aria-hidden />
          <p className="font-medium">Run not found</p>
          <p className="text-muted-foreground mt-1 text-sm">
            It does not exist in this tenant.{" "}
            <Link href="/runs" className="text-primary hover:underline">
              Back to runs
            </Link>
          </p>
        </div>
      );
    }
    return <QueryError title="The run could not be loaded" query={run} />;
  }

  const data = run.data;
  const snapshot = data.configSnapshot as Partial<AgentRuntimeConfig> | null;
  const duration = runDuration(data);

  return (
    <>
      <header className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-muted-foreground text-sm">
            <Link href="/runs" className="hover:underline">
              Runs
            </Link>{" "}
            / <code className="font-mono text-xs">{data.id}</code>
          </p>
          <h1 className="mt-1 flex items-center gap-3 text-2xl font-semibold tracking-tight">
            <Link href={`/skills/${data.skill.slug}`} className="hover:underline">
              {data.skill.name}
            </Link>
            <span role="status" aria-live="polite" data-testid="run-status">
              <RunStatusBadge status={data.status} />
            </span>
          </h1>
        </div>
        {can("operator") && (
          <div className="flex gap-2">
            {data.cancellable && (
              <Button
                variant="outline"
                onClick={() => setConfirmCancel(true)}
                disabled={cancel.isPending}
              >
                {cancel.isPending ? (
                  <LoaderCircle aria-hidden className="animate-spin" />
                ) : (
                  <Ban aria-hidden />
                )}
                Cancel
              </Button>
            )}
            <Button
              variant="outline"
              onClick={() => rerun.mutate({ runId: data.id })}
              disabled={rerun.isPending}
            >
              {rerun.isPending ? (
                <LoaderCircle aria-hidden className="animate-spin" />
              ) : (
                <RotateCcw aria-hidden />
              )}
              Re-run
            </Button>
            <Button
              onClick={() =>
                runNow.open({
                  skillSlug: data.skill.slug,
                  inputs: data.inputs,
                  agentId: data.agent?.id ?? null,
                  rerunOf: data.id,
                })
              }
            >
              <Pencil aria-hidden />
              Re-run with changes
            </Button>
          </div>
        )}
      </header>

      <dl className="border-border bg-card mb-6 grid grid-cols-2 gap-x-6 gap-y-3 rounded-lg border p-4 text-sm md:grid-cols-4">
        {[
          [
            "Created",
            <time
              key="c"
              dateTime={data.createdAt.toISOString()}
              title={formatAbsolute(data.createdAt)}
            >
              {formatRelative(data.createdAt)}
            </time>,
          ],
          [
            "Duration",
            duration === null
              ? "not started"
              : `${formatDuration(duration)}${terminal ? "" : " so far"}`,
          ],
          [
            "Source",
            data.parentRunId ? (
              <span key="s">
                {SOURCE_LABELS[data.source]} of{" "}
                <Link className="text-primary hover:underline" href={`/runs/${data.parentRunId}`}>
                  an earlier run
                </Link>
              </span>
            ) : (
              SOURCE_LABELS[data.source]
            ),
          ],
          [
            "Agent",
            data.agent ? (
              <Link
                key="a"
                href={`/agents/${data.agent.id}`}
                className="text-primary hover:underline"
              >
                {data.agent.name}
              </Link>
            ) : (
              "none"
            ),
          ],
          [
            "Skill version",
            <code key="v" className="font-mono text-xs">
              {data.skillVersion.slice(0, 12)}
            </code>,
          ],
          [
            "Tokens",
            data.usagePending ? (
              <span key="t" className="text-muted-foreground">
                counting…
              </span>
            ) : (
              formatTokens(data.inputTokens, data.outputTokens)
            ),
          ],
          [
            "Cost",
            data.usagePending ? (
              <span key="u" className="text-muted-foreground">
                counting…
              </span>
            ) : (
              formatCost(data.costUsd)
            ),
          ],
          [
            "Finished",
            data.finishedAt ? (
              <time
                key="f"
                dateTime={data.finishedAt.toISOString()}
                title={formatAbsolute(data.finishedAt)}
              >
                {formatRelative(data.finishedAt)}
              </time>
            ) : (
              "—"
            ),
          ],
        ].map(([label, value]) => (
          <div key={String(label)}>
            <dt className="text-muted-foreground text-xs">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>

      {data.skillChanged && (
        <Alert className="mb-6">
          <AlertTitle>The skill changed since this run</AlertTitle>
          <AlertDescription>
            This run used version {data.skillVersion.slice(0, 12)}. A re-run uses the current
            version and its inputs schema.
          </AlertDescription>
        </Alert>
      )}

      {data.status === "failed" && data.failureCode && (
        <Alert variant="destructive" className="mb-6" data-testid="run-failure">
          <AlertTitle>
            Failed: <code className="font-mono">{data.failureCode}</code>
          </AlertTitle>
          <AlertDescription>
            {data.failureReason && <p>{data.failureReason}</p>}
            <p className="mt-2 font-medium">
              What to do:{" "}
              {failureHint({
                failureCode: data.failureCode,
                failureDetail: data.failureDetail,
                finishedAt: data.finishedAt,
              })}
            </p>
          </AlertDescription>
        </Alert>
      )}

      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Deliverable</CardTitle>
            </CardHeader>
            <CardContent>
              {data.deliverable ? (
                <Deliverable
                  markdown={data.deliverable.payload}
                  masked={data.deliverable.masked}
                  fileName={`${data.skill.slug}-${data.id.slice(0, 8)}.md`}
                />
              ) : (
                <p className="text-muted-foreground text-sm">
                  {!isTerminal(data.status)
                    ? "The deliverable appears here when the run completes."
                    : "This run has no deliverable."}
                </p>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Inputs</CardTitle>
            </CardHeader>
            <CardContent>
              <pre
                className="bg-muted max-h-96 overflow-auto rounded-md p-3 text-xs whitespace-pre-wrap"
                data-testid="run-inputs"
              >
                {JSON.stringify(data.inputs, null, 2)}
              </pre>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Config snapshot</CardTitle>
            </CardHeader>
            <CardContent>
              {snapshot ? (
                <ConfigList
                  items={[
                    [
                      "Model",
                      <code key="m" className="font-mono">
                        {snapshot.model}
                      </code>,
                    ],
                    ["Template", snapshot.template?.name ?? "—"],
                    ["Tools offered", listOrNone(snapshot.tools ?? [])],
                    ["Blocked tools", listOrNone(snapshot.blockedTools ?? [])],
                    [
                      "MCP servers",
                      listOrNone(
                        (snapshot.mcpServers ?? []).map(
                          (server) => `${server.name} (${server.url})`,
                        ),
                      ),
                    ],
                    [
                      "Knowledge bases",
                      listOrNone((snapshot.knowledgeBases ?? []).map((base) => base.name)),
                    ],
                    [
                      "Guardrail",
                      snapshot.guardrail
                        ? `${snapshot.guardrail.name} (${snapshot.guardrail.source})`
                        : "none",
                    ],
                    [
                      "Limits",
                      snapshot.limits
                        ? `${snapshot.limits.maxSteps} steps · ${snapshot.limits.timeoutSeconds} s`
                        : "—",
                    ],
                  ]}
                />
              ) : (
                <p className="text-muted-foreground text-sm">
                  {terminal
                    ? "The run ended before its config was resolved."
                    : "Resolved when the run starts."}
                </p>
              )}
            </CardContent>
          </Card>
        </div>
        <Card className="self-start">
          <CardHeader>
            <CardTitle>Timeline</CardTitle>
          </CardHeader>
          <CardContent>
            {events.isPending ? (
              <Skeleton className="h-40" />
            ) : events.isError ? (
              <QueryError title="The timeline could not be loaded" query={events} />
            ) : (
              <RunTimeline events={events.data} />
            )}
          </CardContent>
        </Card>
      </div>

      <AlertDialog open={confirmCancel} onOpenChange={setConfirmCancel}>
        <AlertDialogContent>
          <AlertDialogTitle>Cancel this run?</AlertDialogTitle>
          <AlertDialogDescription>
            The agent stops at its next step. A cancelled run keeps no deliverable; you can re-run
            it later.
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep running</AlertDialogCancel>
            <AlertDialogAction destructive onClick={() => cancel.mutate({ runId: data.id })}>
              Cancel run
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
