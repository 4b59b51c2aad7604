"use client";

import { useQuery } from "@tanstack/react-query";
import { CheckCircle2, FileClock, LoaderCircle, ShieldAlert, Wrench, XCircle } from "lucide-react";
import { STREAM_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { Markdown } from "@/components/markdown";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDuration } from "@/components/format";
import type { TimelineEntry } from "../run-timeline";
import type { RunData } from "./run-data";

/** A tool call of the running turn: started (in progress) or ended (its event). */
type LiveToolCall = {
  key: string;
  name: string;
  state: "running" | "done" | "failed";
  ms?: number;
};

function toolCallsOf(entries: TimelineEntry[]): LiveToolCall[] {
  return entries.flatMap((entry): LiveToolCall[] => {
    if (entry.kind === "in_progress")
      return entry.type === "tool_call"
        ? [{ key: entry.id, name: entry.name ?? "tool", state: "running" }]
        : [];
    if (entry.type !== "tool_call") return [];
    const { name, error, durationMs } = entry.payload;
    return [
      {
        key: String(entry.id),
        name: typeof name === "string" ? name : "tool",
        state: error ? "failed" : "done",
        ms: typeof durationMs === "number" ? durationMs : undefined,
      },
    ];
  });
}

const TOOL_STATE = {
  running: {
    Icon: LoaderCircle,
    label: "Running",
    className: "animate-spin motion-reduce:animate-none",
  },
  done: { Icon: CheckCircle2, label: "Done", className: "text-success" },
  failed: { Icon: XCircle, label: "Failed", className: "text-destructive" },
} as const;

/** The turn's tool calls as they start and end (the timeline's query, shared, not polled twice). */
function LiveToolCalls({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const events = useQuery({
    ...trpc.runs.events.queryOptions({ runId }),
    refetchInterval: STREAM_POLL_MS,
  });
  const calls = toolCallsOf(events.data ?? []);
  if (calls.length === 0) return null;
  return (
    <ul
      aria-label="Tool calls"
      className="mb-4 flex flex-col gap-1 text-sm"
      data-testid="live-tool-calls"
    >
      {calls.map((call) => {
        const { Icon, label, className } = TOOL_STATE[call.state];
        return (
          <li key={call.key} className="flex items-center gap-2" data-state={call.state}>
            <Wrench aria-hidden className="text-muted-foreground size-4 shrink-0" />
            <span className="min-w-0 truncate font-mono">{call.name}</span>
            <span className="text-muted-foreground ml-auto flex shrink-0 items-center gap-1">
              <Icon aria-hidden className={`size-4 ${className}`} />
              {label}
              {call.ms !== undefined && ` · ${formatDuration(call.ms)}`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A running run's deliverable as the model writes it, where the finished one will appear (the
 * card keeps its place and a minimum height, so the page does not jump as text arrives or when
 * the run completes). The text is what the agent's guardrail lets through (`liveOutputOf`);
 * screen readers hear what is added, politely.
 */
export function LiveOutputCard({ data }: { data: RunData }) {
  const output = data.liveOutput;
  return (
    <Card className="min-w-0">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle>Deliverable</CardTitle>
        <Badge variant="outline">
          <LoaderCircle aria-hidden className="size-3 animate-spin motion-reduce:animate-none" />
          Being written
        </Badge>
      </CardHeader>
      <CardContent className="min-h-40">
        <LiveToolCalls runId={data.id} />
        <div aria-live="polite" aria-relevant="additions text" data-testid="live-output">
          {output?.withheld ? (
            <p className="text-muted-foreground flex items-center gap-2 text-sm">
              <ShieldAlert aria-hidden className="size-4 shrink-0" />
              The text written so far is held back by the agent&apos;s guardrail; the deliverable is
              checked when the run completes.
            </p>
          ) : output?.text ? (
            <article
              aria-label="Deliverable so far"
              className="min-w-0 break-words [&_table]:block [&_table]:max-w-full [&_table]:overflow-x-auto"
            >
              <Markdown>{output.text}</Markdown>
            </article>
          ) : (
            <p className="text-muted-foreground flex items-center gap-2 text-sm">
              <FileClock aria-hidden className="size-4 shrink-0" />
              The deliverable appears here when the run completes.
            </p>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
