"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { LIVE_POLL_MS, STREAM_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { RunTimeline } from "../run-timeline";

/**
 * The run's events and the calls in progress, polled until the run has settled (faster while
 * it runs).
 * `cancelledBy`: the name of whoever cancelled the run, for its cancel event.
 */
export function TimelineCard({
  runId,
  settled,
  running,
  cancelledBy,
}: {
  runId: string;
  settled: boolean;
  /** While the turn runs, each call shows within a second of starting or ending. */
  running: boolean;
  cancelledBy: string | null;
}) {
  const trpc = useTRPC();
  const events = useQuery({
    ...trpc.runs.events.queryOptions({ runId }),
    refetchInterval: settled ? false : running ? STREAM_POLL_MS : LIVE_POLL_MS,
  });
  // The poll that sees the run settle may predate the final events: fetch them once more.
  const { refetch: refetchEvents } = events;
  useEffect(() => {
    if (settled) void refetchEvents();
  }, [settled, refetchEvents]);

  return (
    <Card className="min-w-0 self-start">
      <CardHeader>
        <CardTitle>Timeline</CardTitle>
      </CardHeader>
      <CardContent>
        <QueryView
          query={events}
          loading={<Skeleton className="h-40" />}
          errorTitle="The timeline could not be loaded"
        >
          {(entries) => (
            <RunTimeline
              entries={entries}
              cancelledBy={cancelledBy}
              fetchedAt={events.dataUpdatedAt}
            />
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}
