/**
 * The readable before/after an audit entry keeps for an edit (`metadata.changes`): one line per
 * field that changed, values as short display text. Shared by the services that write it and the
 * audit log that shows it.
 */
export type AuditChange = { field: string; before: string | null; after: string | null };

/** Longer values are cut: the log says what changed, the thing itself keeps its content. */
const MAX_VALUE_CHARS = 200;

export type AuditValue = string | number | boolean | null | undefined | readonly string[];

function display(value: AuditValue): string | null {
  if (value === null || value === undefined || value === "") return null;
  const text = Array.isArray(value)
    ? value.length
      ? value.join(", ")
      : null
    : typeof value === "boolean"
      ? value
        ? "yes"
        : "no"
      : String(value);
  if (text === null) return null;
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/**
 * The fields whose display value differs between `before` and `after`, labelled for a reader.
 * `labels` names the fields to compare, in the order the log lists them; a field holding a secret
 * must be mapped to a marker such as "set"/"not set" by the caller, never passed as itself.
 */
export function auditChanges<Fields extends string>(
  before: Partial<Record<Fields, AuditValue>> | null,
  after: Partial<Record<Fields, AuditValue>> | null,
  labels: Record<Fields, string>,
): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const field of Object.keys(labels) as Fields[]) {
    const was = before ? display(before[field]) : null;
    const now = after ? display(after[field]) : null;
    if (was !== now) changes.push({ field: labels[field], before: was, after: now });
  }
  return changes;
}

/** The changes an entry's metadata holds, if it holds any well-formed ones (old entries have none). */
export function readAuditChanges(metadata: Record<string, unknown>): AuditChange[] {
  const { changes } = metadata;
  if (!Array.isArray(changes)) return [];
  return changes.filter(
    (change): change is AuditChange =>
      typeof change === "object" &&
      change !== null &&
      typeof (change as AuditChange).field === "string" &&
      ["string", "object"].includes(typeof (change as AuditChange).before) &&
      ["string", "object"].includes(typeof (change as AuditChange).after),
  );
}
