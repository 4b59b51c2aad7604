import { readAuditChanges } from "@/lib/audit-changes";

const shown = (value: string | null) =>
  value === null ? <span className="text-muted-foreground italic">none</span> : value;

/** An edit's before/after, folded under a summary so the log stays one line per entry. */
export function AuditChanges({ metadata }: { metadata: Record<string, unknown> }) {
  const changes = readAuditChanges(metadata);
  if (changes.length === 0) return null;
  return (
    <details className="text-xs">
      <summary className="text-muted-foreground hover:text-foreground cursor-pointer">
        {changes.length === 1 ? "1 change" : `${changes.length} changes`}
      </summary>
      <dl className="mt-1 grid max-w-md grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
        {changes.map((change) => (
          <div key={change.field} className="contents">
            <dt className="text-muted-foreground">{change.field}</dt>
            <dd className="break-words">
              {shown(change.before)} <span aria-label="changed to">→</span> {shown(change.after)}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
