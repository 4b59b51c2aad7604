import Link from "next/link";
import type { ReactNode } from "react";
import { formatAbsolute, formatDuration, formatRelative } from "@/components/format";
import { cn } from "@/components/ui/cn";
import { formatCost, formatTokens, runDuration } from "../format";
import type { RunData } from "./run-data";
import { RunTagsEditor } from "../run-tags";
import { RunProvenance } from "./run-provenance";

function Fact({
  label,
  children,
  className,
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("min-w-0", className)}>
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
const soFar = <span className="text-muted-foreground"> so far</span>;

/** A cost, or why there is none: an unpriced model's runs have no cost rather than a guess. */
function Cost({ costUsd, priceKnown }: { costUsd: string | null; priceKnown: boolean }) {
  if (costUsd !== null || priceKnown) return <>{formatCost(costUsd)}</>;
  return (
    <span title="Price unknown for this model" data-testid="cost-unknown">
      —<span className="sr-only"> (price unknown for this model)</span>
    </span>
  );
}

/** Tokens and cost: final once the run has ended, the model calls recorded so far while it runs. */
function usageFacts(data: RunData) {
  if (data.usagePending) return { tokens: counting, cost: counting };
  const live = data.usageSoFar;
  if (live)
    return {
      tokens: (
        <>
          {formatTokens(live.inputTokens, live.outputTokens)}
          {soFar}
        </>
      ),
      cost: (
        <>
          <Cost costUsd={live.costUsd} priceKnown={data.priceKnown} />
          {live.costUsd !== null && soFar}
        </>
      ),
    };
  return {
    tokens: formatTokens(data.inputTokens, data.outputTokens),
    cost: <Cost costUsd={data.costUsd} priceKnown={data.priceKnown} />,
  };
}

/** When, how long, from where, with what, and at what cost. */
export function RunFacts({ data, terminal }: { data: RunData; terminal: boolean }) {
  const duration = runDuration(data);
  const { tokens, cost } = usageFacts(data);
  return (
    <dl className="border-border bg-card mb-6 grid grid-cols-1 gap-x-6 gap-y-3 rounded-lg border p-4 text-sm sm:grid-cols-2 md:grid-cols-4">
      <Fact label="Source" className="sm:col-span-2">
        <RunProvenance provenance={data.provenance} runId={data.id} />
      </Fact>
      <Fact label="Created">
        <Moment date={data.createdAt} />
      </Fact>
      <Fact label="Duration">
        {duration === null
          ? "not started"
          : `${formatDuration(duration)}${terminal ? "" : " so far"}`}
      </Fact>
      <Fact label="Agent">
        {data.agent ? (
          <Link href={`/agents/${data.agent.id}`} className="text-link">
            {data.agent.name}
          </Link>
        ) : (
          "none"
        )}
      </Fact>
      <Fact label="Skill version">
        <code className="font-mono text-xs">{data.skillVersion.slice(0, 12)}</code>
      </Fact>
      <Fact label="Tokens">{tokens}</Fact>
      <Fact label="Cost">{cost}</Fact>
      <Fact label="Finished">{data.finishedAt ? <Moment date={data.finishedAt} /> : "—"}</Fact>
      <Fact label="Tags" className="sm:col-span-2 md:col-span-4">
        <RunTagsEditor runId={data.id} tags={data.tags} />
      </Fact>
    </dl>
  );
}
