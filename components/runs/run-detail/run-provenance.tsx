import Link from "next/link";
import type { ReactNode } from "react";
import { formatInZone, formatUtc } from "@/components/format";
import { compareHref } from "../compare/compare-href";
import type { RunData } from "./run-data";

type Provenance = RunData["provenance"];
type Person = { name: string; email: string } | null;

const linkClass = "text-link";

/** An id as an operator tells ids apart: its first characters. */
const shortId = (id: string) => (id.length > 8 ? `${id.slice(0, 8)}…` : id);

function Who({ person, missing }: { person: Person; missing: string }) {
  if (!person) return <span className="text-muted-foreground">{missing}</span>;
  return <span title={person.email}>{person.name || person.email}</span>;
}

const Gone = ({ children }: { children: ReactNode }) => (
  <span className="text-muted-foreground italic">{children}</span>
);

/** "Label · part · part", the parts of a run's origin (a missing part is left out). */
function Parts({ label, parts }: { label: string; parts: ReactNode[] }) {
  return (
    <span>
      <span>{label}</span>
      {parts
        .filter((part) => part !== null && part !== undefined && part !== false)
        .map((part, index) => (
          <span key={index}> · {part}</span>
        ))}
    </span>
  );
}

/** The history filtered to one source: everything else it started. */
function History({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} className={`${linkClass} text-xs`}>
      {children}
    </Link>
  );
}

type Described = { line: ReactNode; history?: ReactNode };
type Of<Source extends Provenance["source"]> = Extract<Provenance, { source: Source }>;

const gone = (label: string, what: string): Described => ({
  line: <Parts label={label} parts={[<Gone key="gone">{what}</Gone>]} />,
});

function fromRerun({ parentRunId, user }: Of<"rerun">, runId: string): Described {
  return {
    history: parentRunId ? (
      <History href={compareHref(parentRunId, runId)}>Compare with the original</History>
    ) : undefined,
    line: (
      <span>
        Re-run of{" "}
        {parentRunId ? (
          <Link href={`/runs/${parentRunId}`} className={`${linkClass} font-mono text-xs`}>
            {shortId(parentRunId)}
          </Link>
        ) : (
          <Gone>a deleted run</Gone>
        )}{" "}
        · by <Who person={user} missing="a removed user" />
      </span>
    ),
  };
}

function fromSchedule({ schedule, slotAt }: Of<"schedule">): Described {
  if (!schedule) return gone("Schedule", "deleted schedule");
  const slot = slotAt && (
    <span key="slot">
      slot{" "}
      <time dateTime={slotAt.toISOString()} title={formatUtc(slotAt)}>
        {formatInZone(slotAt, schedule.timezone, { withDate: true })}
      </time>
    </span>
  );
  return {
    line: (
      <Parts
        label="Schedule"
        parts={[
          <Link key="schedule" href={`/schedules/${schedule.id}`} className={linkClass}>
            {schedule.name}
          </Link>,
          slot,
        ]}
      />
    ),
    history: <History href={`/runs?schedule=${schedule.id}`}>All runs of this schedule</History>,
  };
}

function fromWebhook({ webhook, delivery, replayedBy }: Of<"webhook">): Described {
  if (!webhook) return gone("Webhook", "deleted webhook");
  const shown = delivery && (delivery.deliveryId || delivery.id);
  return {
    line: (
      <Parts
        label="Webhook"
        parts={[
          <Link key="webhook" href={`/webhooks/${webhook.id}`} className={linkClass}>
            {webhook.name}
          </Link>,
          delivery && shown && (
            <span key="delivery">
              delivery{" "}
              <Link
                href={`/webhooks/${webhook.id}#delivery-${delivery.id}`}
                className={`${linkClass} font-mono text-xs`}
                title={shown}
              >
                {shortId(shown)}
              </Link>
            </span>
          ),
          replayedBy && (
            <span key="replay">
              replayed by <Who person={replayedBy} missing="" />
            </span>
          ),
        ]}
      />
    ),
    history: <History href={`/runs?webhook=${webhook.id}`}>All runs of this webhook</History>,
  };
}

function fromApiKey({ apiKey }: Of<"api">): Described {
  if (!apiKey) return gone("API key", "deleted key");
  return {
    line: (
      <Parts
        label="API key"
        parts={[
          <span key="key">
            <Link href="/settings#api-keys" className={linkClass}>
              {apiKey.name}
            </Link>
            {apiKey.revoked && <span className="text-muted-foreground"> (revoked)</span>}
          </span>,
        ]}
      />
    ),
    history: <History href={`/runs?apiKey=${apiKey.id}`}>All runs with this key</History>,
  };
}

function describe(provenance: Provenance, runId: string): Described {
  switch (provenance.source) {
    case "manual":
      return {
        line: (
          <Parts
            label="Run now"
            parts={[<Who key="user" person={provenance.user} missing="a removed user" />]}
          />
        ),
      };
    case "rerun":
      return fromRerun(provenance, runId);
    case "schedule":
      return fromSchedule(provenance);
    case "webhook":
      return fromWebhook(provenance);
    case "api":
      return fromApiKey(provenance);
  }
}

/** Where the run came from, by name and linked, and the history of that source. */
export function RunProvenance({ provenance, runId }: { provenance: Provenance; runId: string }) {
  const { line, history } = describe(provenance, runId);
  return (
    <span className="flex flex-col gap-0.5 break-words" data-testid="run-provenance">
      {line}
      {history}
    </span>
  );
}
