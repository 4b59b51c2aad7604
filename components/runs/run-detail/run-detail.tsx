"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { LIVE_POLL_MS, STREAM_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { LiveIndicator } from "@/components/shell/live-indicator";
import { QueryView, retryUnlessNotFound } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";
import { isTerminal } from "@/lib/enums";
import { ApprovalWaiting } from "./approval-waiting";
import { ConfigSnapshotCard } from "./config-snapshot-card";
import { DeliveriesCard } from "./deliveries-card";
import { DeliverableCard, DeliverableExpired, NoDeliverable } from "./deliverable-card";
import { FailureAlert } from "./failure-alert";
import { FeedbackCard } from "./feedback-card";
import { InputsCard } from "./inputs-card";
import { LiveOutputCard } from "./live-output-card";
import type { RunData } from "./run-data";
import { RunFacts } from "./run-facts";
import { RunHeader } from "./run-header";
import { RunNotFound } from "./run-not-found";
import { SkillChangedAlert } from "./skill-changed-alert";
import { TimelineCard } from "./timeline-card";

export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (query) =>
      !query.state.data || (isTerminal(query.state.data.status) && !query.state.data.usagePending)
        ? false
        : query.state.data.status === "running"
          ? STREAM_POLL_MS
          : LIVE_POLL_MS,
    retry: retryUnlessNotFound,
  });

  return (
    <QueryView
      query={run}
      loading={
        <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading run">
          <Skeleton className="h-10 w-1/2" />
          <Skeleton className="h-64" />
        </div>
      }
      errorTitle="The run could not be loaded"
      notFound={<RunNotFound />}
    >
      {(data) => <RunPage data={data} live={<LiveIndicator query={run} />} />}
    </QueryView>
  );
}

/** `live`: says whether the polled page is current, while anything on it can still change. */
function RunPage({ data, live }: { data: RunData; live: ReactNode }) {
  const terminal = isTerminal(data.status);
  // Settled: nothing on the page changes any more (a cancelled run's usage arrives after its status).
  const settled = terminal && !data.usagePending;
  const timeline = (
    <TimelineCard
      runId={data.id}
      settled={settled}
      running={data.status === "running"}
      cancelledBy={data.cancelledBy ? data.cancelledBy.name || data.cancelledBy.email : null}
    />
  );
  const details = (
    <>
      <DeliveriesCard runId={data.id} />
      <InputsCard inputs={data.inputs} inputsSchema={data.skill.inputsSchema} />
      <ConfigSnapshotCard data={data} terminal={terminal} />
    </>
  );
  return (
    <>
      <RunHeader data={data} />
      {!settled && live}
      <RunFacts data={data} terminal={terminal} />
      {data.skillChanged && <SkillChangedAlert skillVersion={data.skillVersion} />}
      {data.status === "awaiting_approval" && <ApprovalWaiting runId={data.id} />}
      {data.status === "failed" && data.failureCode && (
        <FailureAlert
          failureCode={data.failureCode}
          failureReason={data.failureReason}
          failureDetail={data.failureDetail}
          finishedAt={data.finishedAt}
        />
      )}
      {(data.status === "complete" && data.deliverable) || data.status === "running" ? (
        // The result first (while running, as it is written, in the same place); how it came
        // about beside it.
        <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
          <div className="flex min-w-0 flex-col gap-6">
            {data.status === "complete" && data.deliverable ? (
              <DeliverableCard data={data} deliverable={data.deliverable} />
            ) : (
              <LiveOutputCard data={data} />
            )}
            {/* Only a complete run's deliverable is rated; keyed on the status so a run that
                completes while watched mounts the form fresh. */}
            {data.status === "complete" && <FeedbackCard key={data.status} runId={data.id} />}
            {details}
          </div>
          {timeline}
        </div>
      ) : (
        // No deliverable (yet): what happened, or is happening, first.
        <>
          {data.status !== "complete" && <NoDeliverable status={data.status} />}
          {data.status === "complete" && data.deliverableExpiredAt && (
            <DeliverableExpired at={data.deliverableExpiredAt} />
          )}
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
            {timeline}
            <div className="flex min-w-0 flex-col gap-6">{details}</div>
          </div>
        </>
      )}
    </>
  );
}
