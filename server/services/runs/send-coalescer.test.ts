import { describe, expect, it } from "vitest";
import type { RunEvent } from "@/inngest/events";
import type { RunDispatcher } from "./runs";
import { coalesceSends } from "./send-coalescer";

/** These tests send run events only; a bulk operation's event names its operation, a delivery's its delivery. */
const runIdOf = (event: RunEvent) =>
  "runId" in event.data
    ? event.data.runId
    : "operationId" in event.data
      ? event.data.operationId
      : event.data.deliveryId;

/** An engine stand-in whose requests finish when the test says so. */
function controlledEngine() {
  const requests: { events: RunEvent[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const dispatcher: RunDispatcher = {
    send: (event) =>
      new Promise((resolve, reject) => {
        const events = Array.isArray(event) ? event : [event];
        requests.push({
          events,
          finish: () => resolve({ ids: events.map((e) => `id-${runIdOf(e)}`) }),
          fail: reject,
        });
      }),
  };
  return { dispatcher, requests };
}
const event = (runId: string): RunEvent => ({
  name: "skill/run.requested",
  id: runId,
  data: { runId, tenantId: "t" },
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("coalesceSends", () => {
  it("sends a lone event at once, and the sends made meanwhile together in the next request", async () => {
    const { dispatcher, requests } = controlledEngine();
    const coalesced = coalesceSends(dispatcher);
    const first = coalesced.send(event("a"));
    await tick();
    expect(requests.map((request) => request.events.length)).toEqual([1]);
    const later = [
      coalesced.send(event("b")),
      coalesced.send([event("c"), event("d")]),
      coalesced.send(event("e")),
    ];
    await tick();
    expect(requests).toHaveLength(1);
    requests[0]!.finish();
    expect(await first).toEqual({ ids: ["id-a"] });
    await tick();
    expect(requests[1]!.events.map(runIdOf)).toEqual(["b", "c", "d", "e"]);
    requests[1]!.finish();
    expect(await Promise.all(later)).toEqual([
      { ids: ["id-b"] },
      { ids: ["id-c", "id-d"] },
      { ids: ["id-e"] },
    ]);
  });

  it("fails exactly the callers whose events were in the failed request", async () => {
    const { dispatcher, requests } = controlledEngine();
    const coalesced = coalesceSends(dispatcher);
    const first = coalesced.send(event("a"));
    await tick();
    const second = coalesced.send(event("b"));
    requests[0]!.fail(new Error("engine down"));
    await expect(first).rejects.toThrow("engine down");
    await tick();
    requests[1]!.finish();
    expect(await second).toEqual({ ids: ["id-b"] });
  });

  it("never puts more than 100 events in one request", async () => {
    const { dispatcher, requests } = controlledEngine();
    const coalesced = coalesceSends(dispatcher);
    const first = coalesced.send(event("first"));
    await tick();
    const many = Array.from({ length: 150 }, (_, i) => coalesced.send(event(`r${i}`)));
    requests[0]!.finish();
    await first;
    await tick();
    requests[1]!.finish();
    await tick();
    requests[2]!.finish();
    await Promise.all(many);
    expect(requests.map((request) => request.events.length)).toEqual([1, 100, 50]);
  });
});
