import { EventValidationError } from "./engine-types";
import { newUlid, seededUlids } from "./ids";
import type { PlannedEvent } from "./ingest-statement";
import { INTERNAL_EVENT_PREFIX, type InngestEvent } from "./protocol";
import { SessionsError, resolveEventMeta } from "./sessions";

/**
 * Events as sent (`POST /e/:key`, or made by the engine: `internal`) → the events to store, each
 * with its internal id (seeded from `x-inngest-event-id-seed` when given, so a resend gets the
 * same ids). Throws EventValidationError for a malformed event, a reserved name (unless
 * internal), a `ts` outside 1980–2100 or meta whose sessions do not parse; an outside sender's
 * `data._inngest` is dropped.
 */
export function parseEvents(
  rawEvents: unknown[],
  options: { internal?: boolean; seed?: string | null },
): PlannedEvent[] {
  const now = Date.now();
  const seeded = seededUlids(options.seed ?? null, rawEvents.length);
  return rawEvents.map((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw))
      throw new EventValidationError(`event ${index} is not an object`);
    const input = raw as Partial<InngestEvent>;
    if (typeof input.name !== "string" || !input.name)
      throw new EventValidationError(`event ${index} has no name`);
    if (!options.internal && input.name.toLowerCase().startsWith(INTERNAL_EVENT_PREFIX)) {
      throw new EventValidationError(
        `event names starting with "${INTERNAL_EVENT_PREFIX}" are reserved`,
      );
    }
    const data =
      input.data && typeof input.data === "object" && !Array.isArray(input.data)
        ? { ...input.data }
        : {};
    if (!options.internal) delete data._inngest;
    const ts = typeof input.ts === "number" && input.ts > 0 ? input.ts : now;
    if (ts < 315_532_800_000 || ts > 4_102_444_800_000)
      throw new EventValidationError(`event ${index} has a ts outside 1980–2100`);
    const internalId = seeded?.[index] ?? newUlid();
    let meta: unknown;
    try {
      meta = resolveEventMeta(input.meta);
    } catch (error) {
      if (error instanceof SessionsError)
        throw new EventValidationError(`event ${index}: ${error.message}`);
      throw error;
    }
    const event: InngestEvent = {
      name: input.name,
      data,
      id: typeof input.id === "string" && input.id ? input.id : internalId,
      ts,
      user:
        input.user && typeof input.user === "object" ? (input.user as Record<string, unknown>) : {},
      ...(typeof input.v === "string" ? { v: input.v } : {}),
      ...(meta !== undefined ? { meta } : {}),
    };
    return { internalId, event };
  });
}
