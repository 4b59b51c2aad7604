import {
  Ban,
  Bot,
  CheckCircle2,
  CircleDashed,
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
import { formatAbsolute, formatDuration } from "@/components/format";
import { describeMasked, maskedItems, readMaskCounts } from "./masked-pii";

type TimelineEvent = { id: number; type: string; at: Date; payload: Record<string, unknown> };

const text = (value: unknown) =>
  typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : JSON.stringify(value);
const number = (value: unknown) => (typeof value === "number" ? value : 0);

function describe(event: TimelineEvent): {
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
        detail: payload.by ? "by an operator" : undefined,
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
      return { Icon: CircleDashed, title: event.type, detail: text(payload) };
  }
}

/** The run's events in order, each with its offset from the first. */
export function RunTimeline({ events }: { events: TimelineEvent[] }) {
  if (events.length === 0) return <p className="text-muted-foreground text-sm">No events yet.</p>;
  const start = events[0]?.at.getTime() ?? 0;
  return (
    <ol className="border-border relative flex flex-col gap-3 border-l pl-5" aria-label="Timeline">
      {events.map((event) => {
        const { Icon, title, detail, extra, tone } = describe(event);
        return (
          <li key={event.id} className="relative" data-event-type={event.type}>
            <Icon
              aria-hidden
              className={`bg-background absolute top-0.5 -left-[1.72rem] size-4 rounded-full ${tone === "bad" ? "text-destructive" : tone === "good" ? "text-success" : "text-muted-foreground"}`}
            />
            <div className="flex items-baseline justify-between gap-3">
              <span className="text-sm font-medium">{title}</span>
              <time
                className="text-muted-foreground shrink-0 text-xs tabular-nums"
                dateTime={event.at.toISOString()}
                title={formatAbsolute(event.at)}
              >
                +{formatDuration(event.at.getTime() - start)}
              </time>
            </div>
            {detail && <p className="text-muted-foreground text-xs break-words">{detail}</p>}
            {extra && (
              <pre className="bg-muted mt-1 max-h-32 overflow-auto rounded px-2 py-1 text-xs whitespace-pre-wrap">
                {extra}
              </pre>
            )}
          </li>
        );
      })}
    </ol>
  );
}
