import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { costOf } from "@/server/agent/prices";
import type { Database } from "@/server/db/client";
import { runEvents } from "@/server/db/schema";
import type { ActiveCall } from "@/server/db/schema/runs";

/** A number a model_call event's payload holds under `key`, or 0. */
const payloadCount = (key: string) =>
  sql<number>`coalesce(sum(case when jsonb_typeof(${runEvents.payload} -> ${key}::text) = 'number' then (${runEvents.payload} ->> ${key}::text)::numeric end), 0)`.mapWith(
    Number,
  );

/**
 * What a running run has used so far: the sum of the model calls it recorded. The run's own
 * usage columns are written once, when its turn ends.
 */
export async function usageSoFar(
  db: Database,
  ref: { tenantId: string; runId: string },
  model: string | null,
) {
  const [used] = await db
    .select({
      inputTokens: payloadCount("inputTokens"),
      outputTokens: payloadCount("outputTokens"),
      cacheReadTokens: payloadCount("cacheReadTokens"),
      cacheWriteTokens: payloadCount("cacheWriteTokens"),
    })
    .from(runEvents)
    .where(
      and(
        eq(runEvents.runId, ref.runId),
        eq(runEvents.tenantId, ref.tenantId),
        eq(runEvents.type, "model_call"),
      ),
    );
  const usage = {
    inputTokens: used?.inputTokens ?? 0,
    outputTokens: used?.outputTokens ?? 0,
    cacheReadTokens: used?.cacheReadTokens ?? 0,
    cacheWriteTokens: used?.cacheWriteTokens ?? 0,
    reasoningTokens: 0,
  };
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd: model ? costOf(model, usage) : null,
  };
}

/** A call the turn is waiting on, as the timeline lists it after the recorded events. */
export type InProgressCall = {
  kind: "in_progress";
  id: string;
  type: ActiveCall["kind"];
  name: string | null;
  startedAt: Date;
  /** How long it has been going when read, by the database's clock (the browser's may differ). */
  elapsedMs: number;
};

/** The run's active calls, oldest first; `now` is the database's time of the same read. */
export function inProgressCalls(activeCalls: Record<string, ActiveCall>, now: Date) {
  return Object.entries(activeCalls)
    .map(([id, call]): InProgressCall => {
      const startedAt = new Date(call.startedAt);
      return {
        kind: "in_progress",
        id,
        type: call.kind,
        name: call.name,
        startedAt,
        elapsedMs: Math.max(0, now.getTime() - startedAt.getTime()),
      };
    })
    .filter((call) => !Number.isNaN(call.startedAt.getTime()))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}
