import Link from "next/link";
import type { ReactNode } from "react";
import { formatAbsolute, formatDuration, formatRelative } from "@/components/format";
import { formatCost, formatTokens, runDuration } from "../format";
import { SOURCE_LABELS } from "../run-source";
import type { RunData } from "./run-data";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-muted-foreground text-xs">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Moment({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)}>
      {formatRelative(date)}
    </time>
  );
}

const counting = <span className="text-muted-foreground">counting…</span>;

/** When, how long, from where, with what, and at what cost. */
export function RunFacts({ data, terminal }: { data: RunData; terminal: boolean }) {
  const duration = runDuration(data);
  return (
    <dl className="border-border bg-card mb-6 grid grid-cols-2 gap-x-6 gap-y-3 rounded-lg border p-4 text-sm md:grid-cols-4">
      <Fact label="Created">
        <Moment date={data.createdAt} />
      </Fact>
      <Fact label="Duration">
        {duration === null
          ? "not started"
          : `${formatDuration(duration)}${terminal ? "" : " so far"}`}
      </Fact>
      <Fact label="Source">
        {data.parentRunId ? (
          <span>
            {SOURCE_LABELS[data.source]} of{" "}
            <Link className="text-primary hover:underline" href={`/runs/${data.parentRunId}`}>
              an earlier run
            </Link>
          </span>
        ) : (
          SOURCE_LABELS[data.source]
        )}
      </Fact>
      <Fact label="Agent">
        {data.agent ? (
          <Link href={`/agents/${data.agent.id}`} className="text-primary hover:underline">
            {data.agent.name}
          </Link>
        ) : (
          "none"
        )}
      </Fact>
      <Fact label="Skill version">
        <code className="font-mono text-xs">{data.skillVersion.slice(0, 12)}</code>
      </Fact>
      <Fact label="Tokens">
        {data.usagePending ? counting : formatTokens(data.inputTokens, data.outputTokens)}
      </Fact>
      <Fact label="Cost">{data.usagePending ? counting : formatCost(data.costUsd)}</Fact>
      <Fact label="Finished">{data.finishedAt ? <Moment date={data.finishedAt} /> : "—"}</Fact>
    </dl>
  );
}
