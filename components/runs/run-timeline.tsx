"use client";

import {
  Ban,
  Bot,
  CheckCircle2,
  CircleDashed,
  LoaderCircle,
  Play,
  RefreshCw,
  Settings2,
  ShieldAlert,
  ShieldCheck,
  ShieldX,
  Wrench,
  XCircle,
  type LucideIcon,
} from "lucide-react";
import { useNow } from "@/components/use-now";
import { describeApprovalEvent } from "./approval-events";
import { formatAbsolute, formatDuration, formatElapsed } from "@/components/format";
import { describeMasked, maskedItems, readMaskCounts } from "./masked-pii";

/** Something that happened; a model or tool call's event also says when the call started. */
type TimelineEvent = {
  kind: "event";
  id: number;
  type: string;
  at: Date;
  startedAt: Date | null;
  payload: Record<string, unknown>;
};
/** A call the run is waiting on; `elapsedMs` as of when the timeline was fetched. */
type InProgressCall = {
  kind: "in_progress";
  id: string;
  type: "model_call" | "tool_call";
  name: string | null;
  startedAt: Date;
  elapsedMs: number;
};
export type TimelineEntry = TimelineEvent | InProgressCall;

const text = (value: unknown) =>
  typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : JSON.stringify(value);
const number = (value: unknown) => (typeof value === "number" ? value : 0);

function describe(
  event: TimelineEvent,
  cancelledBy: string | null,
): {
  Icon: LucideIcon;
  title: string;
  detail?: string;
  extra?: string;
  tone?: "bad" | "good";
} {
  const { payload } = event;
  switch (event.type) {
    case "queued":
      return { Icon: CircleDashed, title: "Queued", detail: `from ${text(payload.source)}` };
    case "running":
      return { Icon: Play, title: "Running" };
    case "redispatched":
      // An outage stopped the run before its turn was claimed: no model was called, it starts over.
      return {
        Icon: RefreshCw,
        title: "Dispatched again after an outage",
        detail: text(payload.reason) || undefined,
      };
    case "config_resolved":
      return { Icon: Settings2, title: "Config resolved", detail: `model ${text(payload.model)}` };
    case "model_call":
      return {
        Icon: Bot,
        title: "Model call",
        detail: `${text(payload.model)} · ${number(payload.inputTokens)} in / ${number(payload.outputTokens)} out tokens · ${formatDuration(number(payload.durationMs))} · ${text(payload.finishReason)}`,
      };
    case "model_retry":
      return {
        Icon: RefreshCw,
        title: `Model call failed: ${payload.httpStatus === null ? "no answer" : `HTTP ${number(payload.httpStatus)}`} · retrying`,
        detail: `attempt ${number(payload.attempt)} of ${number(payload.maxAttempts)} · next in ${formatDuration(number(payload.delayMs))}`,
        extra: text(payload.message) || undefined,
        tone: "bad",
      };
    case "tool_call":
      return {
        Icon: Wrench,
        title: `Tool ${text(payload.name)}`,
        detail: `${formatDuration(number(payload.durationMs))}${payload.error ? " · failed" : ` · ${number(payload.resultChars)} chars`}`,
        extra: payload.error
          ? `args ${text(payload.arguments)}\nerror ${text(payload.error)}`
          : `args ${text(payload.arguments)}${payload.resultPreview ? `\nresult ${text(payload.resultPreview)}` : ""}`,
        tone: payload.error ? "bad" : undefined,
      };
    case "guardrail":
      // Runs from before masking had its own event recorded only a count of what was masked.
      if (payload.ok && number(payload.masked) > 0) {
        return {
          Icon: ShieldAlert,
          title: `Guardrail masked ${number(payload.masked)} ${number(payload.masked) === 1 ? "item" : "items"} (${text(payload.stage)})`,
          detail: text(payload.guardrail),
        };
      }
      return payload.ok
        ? {
            Icon: ShieldCheck,
            title: `Guardrail passed (${text(payload.stage)})`,
            detail: text(payload.guardrail),
          }
        : {
            Icon: ShieldX,
            title: `Guardrail blocked (${text(payload.stage)})`,
            detail: `${text(payload.guardrail)}: ${text(payload.rule)}`,
            tone: "bad",
          };
    case "guardrail_masked": {
      const masked = readMaskCounts(payload.counts);
      return {
        Icon: ShieldAlert,
        title: `Guardrail masked ${maskedItems(masked)} (${text(payload.stage)})`,
        detail: `${text(payload.guardrail)}: ${describeMasked(masked)}`,
      };
    }
    case "cancelled":
      return {
        Icon: Ban,
        title: "Cancelled",
        detail: cancelledBy ? `by ${cancelledBy}` : payload.by ? "by an operator" : undefined,
        tone: "bad",
      };
    case "complete":
      return {
        Icon: CheckCircle2,
        title: "Complete",
        detail: `${number(payload.chars).toLocaleString("en")} characters`,
        tone: "good",
      };
    case "failed":
      return {
        Icon: XCircle,
        title: `Failed: ${text(payload.failureCode)}`,
        detail: text(payload.reason) || undefined,
        tone: "bad",
      };
    default:
      return (
        describeApprovalEvent(event) ?? {
          Icon: CircleDashed,
          title: event.type,
          detail: text(payload),
        }
      );
  }
}

/** How long the call has been going, counting up between polls from when they fetched it. */
function Elapsed({ elapsedMs, fetchedAt }: { elapsedMs: number; fetchedAt: number }) {
  const now = useNow(1000);
  return (
    <span className="tabular-nums" data-testid="elapsed">
      {formatElapsed(elapsedMs + Math.max(0, now - fetchedAt))}
    </span>
  );
}

const toneClass = {
  bad: "text-destructive",
  good: "text-success",
  none: "text-muted-foreground",
};

function Offset({ at, start }: { at: Date; start: number }) {
  return (
    <time
      className="text-muted-foreground shrink-0 text-xs tabular-nums"
      dateTime={at.toISOString()}
      title={formatAbsolute(at)}
    >
      +{formatDuration(at.getTime() - start)}
    </time>
  );
}

function InProgressRow({
  call,
  start,
  fetchedAt,
}: {
  call: InProgressCall;
  start: number;
  fetchedAt: number;
}) {
  const what = call.type === "model_call" ? "Model call" : "Tool call";
  return (
    <li className="relative" data-event-type="in_progress" data-call-type={call.type}>
      <LoaderCircle
        aria-hidden
        className="bg-background text-primary absolute top-0.5 -left-[1.72rem] size-4 animate-spin rounded-full motion-reduce:animate-none"
      />
      <div className="flex items-baseline justify-between gap-3">
        <span className="min-w-0 text-sm font-medium break-words">
          In progress: {what}
          {call.name && ` · ${call.name}`} ·{" "}
          <Elapsed elapsedMs={call.elapsedMs} fetchedAt={fetchedAt} />
        </span>
        <Offset at={call.startedAt} start={start} />
      </div>
    </li>
  );
}

/**
 * The run's events in the order things started, each with its offset from the first, then
 * the calls still in progress with a running timer. `fetchedAt`: when the entries were read.
 */
export function RunTimeline({
  entries,
  cancelledBy,
  fetchedAt,
}: {
  entries: TimelineEntry[];
  cancelledBy: string | null;
  fetchedAt: number;
}) {
  if (entries.length === 0) return <p className="text-muted-foreground text-sm">No events yet.</p>;
  const first = entries[0];
  const start = first
    ? (first.kind === "event" ? (first.startedAt ?? first.at) : first.startedAt).getTime()
    : 0;
  return (
    <ol className="border-border relative flex flex-col gap-3 border-l pl-5" aria-label="Timeline">
      {entries.map((entry) => {
        if (entry.kind === "in_progress")
          return (
            <InProgressRow
              key={`call-${entry.id}`}
              call={entry}
              start={start}
              fetchedAt={fetchedAt}
            />
          );
        const { Icon, title, detail, extra, tone } = describe(entry, cancelledBy);
        return (
          <li key={entry.id} className="relative min-w-0" data-event-type={entry.type}>
            <Icon
              aria-hidden
              className={`bg-background absolute top-0.5 -left-[1.72rem] size-4 rounded-full ${toneClass[tone ?? "none"]}`}
            />
            <div className="flex items-baseline justify-between gap-3">
              <span className="min-w-0 text-sm font-medium break-words">{title}</span>
              <Offset at={entry.startedAt ?? entry.at} start={start} />
            </div>
            {detail && <p className="text-muted-foreground text-xs break-words">{detail}</p>}
            {extra && (
              <pre className="bg-muted mt-1 max-h-32 overflow-auto rounded px-2 py-1 text-xs break-words whitespace-pre-wrap">
                {extra}
              </pre>
            )}
          </li>
        );
      })}
    </ol>
  );
}
