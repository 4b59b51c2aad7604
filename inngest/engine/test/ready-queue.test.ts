import { describe, expect, it } from "vitest";
import type { ConcurrencySlot, QueueItem, RunState } from "../engine-types";
import { priorityFactorSeconds, priorityScore } from "../flow-priority";
import type { FunctionConfig, InngestEvent } from "../protocol";
import { ReadyQueue } from "../ready-queue";
import { ConcurrencySlots } from "../scheduler";

let nextQueueId = 1;
function itemOf(runId: string): QueueItem {
  return {
    id: nextQueueId++,
    runId,
    kind: "execute",
    stepId: "step",
    attempt: 0,
    waitId: null,
    runAt: 0,
  };
}

/** Takes items until the queue gives none, each counted as an active request. */
function drain(queue: ReadyQueue): QueueItem[] {
  const taken: QueueItem[] = [];
  for (let item = queue.take(); item; item = queue.take()) taken.push(item);
  return taken;
}

describe("ReadyQueue", () => {
  it("dispatches due items first in, first out, up to the free request slots", () => {
    const queue = new ReadyQueue(2);
    const [a, b, c] = [itemOf("a"), itemOf("b"), itemOf("c")];
    for (const item of [a, b, c]) queue.push(item);
    expect(drain(queue)).toEqual([a, b]);
    expect(queue.length).toBe(1);
    expect(queue.committed()).toBe(2);
    queue.finished();
    expect(drain(queue)).toEqual([c]);
    expect(queue.length).toBe(0);
  });

  it("with every slot promised, lets only an item written leased go, ahead of older items", () => {
    const queue = new ReadyQueue(1);
    const [plain, leased] = [itemOf("plain"), itemOf("leased")];
    queue.reservePlanned(1);
    expect(queue.canLeaseAhead()).toBe(false);
    queue.markUnsent(leased);
    queue.releasePlanned(1);
    queue.push(plain);
    queue.push(leased);
    // The leased row holds the one slot: it goes, the plain item waits for a free slot.
    expect(drain(queue)).toEqual([leased]);
    expect(queue.committed()).toBe(1);
    queue.finished();
    expect(drain(queue)).toEqual([plain]);
  });

  it("counts reserved, unsent and active slots, and frees an unsent row's slot when it is removed", () => {
    const queue = new ReadyQueue(3);
    const leased = itemOf("leased");
    queue.reservePlanned(2);
    expect(queue.freeSlots()).toBe(1);
    queue.markUnsent(leased);
    expect(queue.releasePlanned(1)).toBe(true);
    expect(queue.releasePlanned(0)).toBe(false);
    expect(queue.committed()).toBe(2);
    queue.push(leased);
    expect(queue.remove(leased.id)).toEqual({ item: leased, freedSlot: true });
    expect(queue.remove(leased.id)).toBeUndefined();
    expect(queue.committed()).toBe(1);
    expect(queue.canLeaseAhead()).toBe(true);
  });

  it("resolves plannedDrained when the last reservation is released, and hands back unsent rows", async () => {
    const queue = new ReadyQueue(4);
    expect(queue.plannedDrained()).toBeUndefined();
    queue.reservePlanned(2);
    const drained = queue.plannedDrained();
    let settled = false;
    void drained?.then(() => (settled = true));
    queue.releasePlanned(1);
    await Promise.resolve();
    expect(settled).toBe(false);
    queue.releasePlanned(1);
    await drained;
    expect(settled).toBe(true);
    const [x, y] = [itemOf("x"), itemOf("y")];
    queue.markUnsent(x);
    queue.markUnsent(y);
    expect(queue.takeUnsent()).toEqual([x.id, y.id]);
    expect(queue.committed()).toBe(0);
  });
});

describe("ReadyQueue with concurrency slots: who runs next", () => {
  const LIMIT_ONE: ConcurrencySlot[] = [{ key: "fn", limit: 1 }];
  const PRIORITY: FunctionConfig = {
    id: "app-fn",
    name: "fn",
    triggers: [{ event: "go" }],
    steps: {},
    priority: { run: "event.data.boost" },
  } as FunctionConfig;

  function runOf(id: string, seq: number, boostSeconds: number): RunState {
    const event: InngestEvent = {
      name: "go",
      data: { boost: boostSeconds },
      id,
      ts: seq,
      user: {},
    };
    const enqueuedAt = seq * 1_000;
    return {
      id,
      seq,
      functionSlug: "app-fn",
      events: [event],
      status: "Running",
      steps: {},
      stack: [],
      pending: new Set(),
      forceStepPlan: false,
      maxAttempts: 1,
      concurrency: LIMIT_ONE,
      queueIds: new Set(),
      storedSteps: 0,
      defers: {},
      unsavedDefers: {},
      enqueuedAt,
      priorityScore: priorityScore(
        enqueuedAt,
        priorityFactorSeconds(PRIORITY, event, () => undefined),
      ),
    };
  }

  it("releases a key's waiters onto the queue by priority factor, then first come first served", () => {
    const queue = new ReadyQueue(8);
    const runs = new Map<string, RunState>();
    const slots = new ConcurrencySlots({
      makeReady: (item) => queue.push(item),
      pump: () => undefined,
      runOf: (runId) => runs.get(runId),
    });
    const holder = runOf("holder", 1, 0);
    // Enqueued in this order (seq 2…5); "urgent" has a factor of 60 s, the rest none.
    const waiting = [runOf("first", 2, 0), runOf("second", 3, 0), runOf("urgent", 5, 60)];
    for (const run of [holder, ...waiting]) runs.set(run.id, run);

    const held = itemOf(holder.id);
    expect(slots.tryAcquire(holder, held)).toBe(true);
    const items = new Map(waiting.map((run) => [run.id, itemOf(run.id)]));
    for (const run of waiting)
      expect(slots.tryAcquire(run, items.get(run.id) as QueueItem)).toBe(false);

    const order: string[] = [];
    let current = held;
    for (let turn = 0; turn < waiting.length; turn++) {
      slots.release(current);
      const [next] = drain(queue);
      expect(next).toBeDefined();
      if (!next) break;
      queue.finished();
      order.push(next.runId);
      const run = runs.get(next.runId) as RunState;
      expect(slots.tryAcquire(run, next)).toBe(true);
      current = next;
    }
    expect(order).toEqual(["urgent", "first", "second"]);
  });
});
