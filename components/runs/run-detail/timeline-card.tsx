"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { RunTimeline } from "../run-timeline";

/** The run's events, polled until the run has settled. */
export function TimelineCard({ runId, settled }: { runId: string; settled: boolean }) {
  const trpc = useTRPC();
  const events = useQuery({
    ...trpc.runs.events.queryOptions({ runId }),
    refetchInterval: settled ? false : LIVE_POLL_MS,
  });
  // The poll that sees the run settle may predate the final events: fetch them once more.
  const { refetch: refetchEvents } = events;
  useEffect(() => {
    if (settled) void refetchEvents();
  }, [settled, refetchEvents]);

  return (
    <Card className="self-start">
      <CardHeader>
        <CardTitle>Timeline</CardTitle>
      </CardHeader>
      <CardContent>
        <QueryView
          query={events}
          loading={<Skeleton className="h-40" />}
          errorTitle="The timeline could not be loaded"
        >
          {(list) => <RunTimeline events={list} />}
        </QueryView>
      </CardContent>
    </Card>
  );
}
