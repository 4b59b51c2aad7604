import "server-only";
import type { TurnEvent } from "@/server/agent/turn";
import type { CallReporter } from "@/server/agent/turn-calls";
import type { Database } from "@/server/db/client";
import type { RunRef } from "@/inngest/events";
import { appendRunEvent, recordCall, settleCall, startCall } from "./run-timeline";

/**
 * What one agent turn writes as it goes: each call marked in progress when it starts, and
 * each event on the timeline, a call's event with when that call started.
 *
 * The in-progress marks are a live view, not worth a run: a mark that cannot be written is
 * skipped (the call then shows only once it is done), and never fails the model call it
 * describes.
 */
export function turnRecorder(db: Database, ref: RunRef) {
  const startedAt = new Map<string, Date>();
  const onCall: CallReporter = {
    started: async (call) => {
      const at = await startCall(db, ref, call).catch(() => null);
      if (at) startedAt.set(call.id, at);
    },
    settled: async (callId) => {
      await settleCall(db, ref, callId).catch(() => {});
    },
  };
  const onEvent = async (event: TurnEvent) => {
    const callId = "callId" in event ? event.callId : undefined;
    if (!callId) {
      await appendRunEvent(db, { ...ref, type: event.type, payload: event.payload });
      return;
    }
    try {
      await recordCall(db, ref, {
        id: callId,
        startedAt: startedAt.get(callId) ?? null,
        type: event.type,
        payload: event.payload,
      });
    } catch (error) {
      // The event is lost, but the call is over: it must not stay "in progress" for the rest of
      // the run (the SDK swallows a tool call's error here, so nothing else would settle it).
      await settleCall(db, ref, callId).catch(() => {});
      throw error;
    } finally {
      startedAt.delete(callId);
    }
  };
  return { onCall, onEvent };
}
