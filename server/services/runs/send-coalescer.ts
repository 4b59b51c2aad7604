import "server-only";

import type { RunEvent } from "@/inngest/events";
import type { RunDispatcher } from "./runs";

type Waiting = {
  events: RunEvent[];
  resolve: (result: { ids: string[] }) => void;
  reject: (error: unknown) => void;
};

/** Events per request to the engine at most; the engine takes arrays of this size cheaply. */
const MAX_EVENTS_PER_SEND = 100;

/**
 * A dispatcher that sends the events of concurrent callers together, like a group commit:
 * while one request to the engine is in flight, later sends wait and then go out as one
 * request. An idle dispatcher sends at once (next turn of the event loop), so a lone caller
 * waits no longer than before; under load, one request carries many events. Each caller still
 * gets its own ids, or the error of the request its events were in.
 */
export function coalesceSends(dispatcher: RunDispatcher): RunDispatcher {
  const queue: Waiting[] = [];
  let inFlight = false;

  async function flush() {
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    let batch: Waiting[] = [];
    let size = 0;
    while (queue.length > 0 && size + queue[0]!.events.length <= MAX_EVENTS_PER_SEND) {
      const next = queue.shift()!;
      batch.push(next);
      size += next.events.length;
    }
    // One caller with more than the maximum goes alone; the engine accepts it.
    if (batch.length === 0) batch = [queue.shift()!];
    try {
      const { ids } = await dispatcher.send(batch.flatMap((waiting) => waiting.events));
      let offset = 0;
      for (const waiting of batch) {
        waiting.resolve({ ids: ids.slice(offset, offset + waiting.events.length) });
        offset += waiting.events.length;
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      inFlight = false;
      void flush();
    }
  }

  return {
    send(event) {
      return new Promise((resolve, reject) => {
        queue.push({ events: Array.isArray(event) ? event : [event], resolve, reject });
        if (!inFlight) setImmediate(() => void flush());
      });
    },
  };
}
