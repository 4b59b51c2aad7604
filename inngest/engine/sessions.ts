/**
 * Event sessions (`meta.sessions`), resolved as the Go server's `EventMeta.ResolveSessions`
 * does at ingest: the SDK stamps a run's sessions on the events it sends, the runs it invokes
 * and the runs it defers as `meta.propagated_sessions`; the server folds that layer into the
 * manual `meta.sessions` layer and drops it, so a child run's `ctx.sessions` groups it with its
 * parent. Pure.
 */

/** Go's `consts.MaxEventSessions`, `MaxEventSessionKeyLength`, `MaxEventSessionIDLength`. */
export const MAX_EVENT_SESSIONS = 5;
const MAX_SESSION_KEY_BYTES = 128;
const MAX_SESSION_ID_BYTES = 512;

export class SessionsError extends Error {}

type ManualLayer = {
  sessions: Map<string, string>;
  /** Keys set to `null`: each cuts the inherited key of that name. */
  tombstones: string[];
  /** The whole field was `null`: every inherited key is cut. */
  clearAll: boolean;
};

function sessionId(key: string, value: unknown, allowNull: boolean): string | null {
  if (value === null && allowNull) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new SessionsError(
    `event session "${key}" must be a string${allowNull ? ", number, or null" : " or number"}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseManual(raw: unknown): ManualLayer {
  const layer: ManualLayer = { sessions: new Map(), tombstones: [], clearAll: false };
  if (raw === undefined) return layer;
  if (raw === null) return { ...layer, clearAll: true };
  if (!isObject(raw)) throw new SessionsError("event sessions must be an object");
  for (const [key, value] of Object.entries(raw)) {
    const id = sessionId(key, value, true);
    if (id === null) layer.tombstones.push(key);
    else layer.sessions.set(key, id);
  }
  return layer;
}

function parsePropagated(raw: unknown): Map<string, string> {
  const sessions = new Map<string, string>();
  if (raw === undefined || raw === null) return sessions;
  if (!isObject(raw)) throw new SessionsError("event propagated sessions must be an object");
  for (const [key, value] of Object.entries(raw)) {
    const id = sessionId(key, value, false);
    if (id !== null) sessions.set(key, id);
  }
  return sessions;
}

/** Byte-wise UTF-8 order, as Go sorts strings (and as the SDK truncates its own aggregate). */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function validate(sessions: Map<string, string>) {
  if (sessions.size > MAX_EVENT_SESSIONS)
    throw new SessionsError(`event sessions can include at most ${MAX_EVENT_SESSIONS} entries`);
  for (const [key, id] of sessions) {
    if (!key) throw new SessionsError("event session keys cannot be empty");
    if (Buffer.byteLength(key) > MAX_SESSION_KEY_BYTES)
      throw new SessionsError(`event session key "${key}" exceeds ${MAX_SESSION_KEY_BYTES} bytes`);
    if (!id) throw new SessionsError(`event session "${key}" cannot have an empty ID`);
    if (Buffer.byteLength(id) > MAX_SESSION_ID_BYTES)
      throw new SessionsError(`event session "${key}" exceeds ${MAX_SESSION_ID_BYTES} bytes`);
  }
}

/**
 * An event's `meta` with its two session layers merged into `sessions`: manual keys always win
 * and are never evicted; a manual `null` cuts that inherited key, a whole-field `null` cuts
 * them all; the remaining slots up to {@link MAX_EVENT_SESSIONS} are filled from the inherited
 * keys in byte-wise key order. `propagated_sessions` is dropped, and `sessions` too when the
 * merge is empty; other meta fields are kept. A meta that is not an object is returned as is.
 * Throws {@link SessionsError} when a layer is malformed or the merged set breaks the limits.
 */
export function resolveEventMeta(meta: unknown): unknown {
  if (!isObject(meta) || (!("sessions" in meta) && !("propagated_sessions" in meta))) return meta;
  const { sessions: rawManual, propagated_sessions: rawPropagated, ...rest } = meta;
  const manual = parseManual(rawManual);
  const inherited = manual.clearAll ? new Map<string, string>() : parsePropagated(rawPropagated);
  for (const key of manual.tombstones) inherited.delete(key);

  const merged = new Map(manual.sessions);
  const candidates = [...inherited.keys()]
    .filter((key) => !merged.has(key))
    .sort(compareUtf8)
    .slice(0, Math.max(MAX_EVENT_SESSIONS - merged.size, 0));
  for (const key of candidates) merged.set(key, inherited.get(key) ?? "");
  validate(merged);
  return merged.size > 0 ? { ...rest, sessions: Object.fromEntries(merged) } : rest;
}
