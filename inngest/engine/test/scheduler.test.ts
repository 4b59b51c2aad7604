import { describe, expect, it } from "vitest";
import type { ConcurrencySlot, QueueItem, RegisteredFunction, RunState } from "../engine-types";
import type { FunctionConfig, InngestEvent } from "../protocol";
import { ConcurrencySlots, concurrencySlotsOf } from "../scheduler";

const LIMIT_ONE: ConcurrencySlot[] = [{ key: "fn", limit: 1 }];

function runOf(id: string, seq: number, underWay = false): RunState {
  return {
    id,
    seq,
    functionSlug: "app-fn",
    events: [],
    status: "Running",
    steps: underWay ? { a: { data: 1 } } : {},
    stack: underWay ? ["a"] : [],
    pending: new Set(),
    forceStepPlan: false,
    maxAttempts: 1,
    concurrency: LIMIT_ONE,
    queueIds: new Set(),
    storedSteps: 0,
    defers: {},
    unsavedDefers: {},
    enqueuedAt: seq,
    priorityScore: seq,
  };
}

let nextQueueId = 1;
function itemOf(run: RunState): QueueItem {
  return {
    id: nextQueueId++,
    runId: run.id,
    kind: "execute",
    stepId: "step",
    attempt: 0,
    waitId: null,
    runAt: 0,
  };
}

function setup(...runs: RunState[]) {
  const ready: QueueItem[] = [];
  let pumps = 0;
  const byId = new Map(runs.map((run) => [run.id, run]));
  const slots = new ConcurrencySlots({
    makeReady: (item) => ready.push(item),
    pump: () => pumps++,
    runOf: (runId) => byId.get(runId),
  });
  return { ready, slots, pumps: () => pumps };
}

describe("ConcurrencySlots", () => {
  it("holds a key's slot for one call; a release hands it to the waiter and pumps", () => {
    const [a, b] = [runOf("a", 1), runOf("b", 2)];
    const { ready, slots, pumps } = setup(a, b);
    const first = itemOf(a);
    const second = itemOf(b);
    expect(slots.tryAcquire(a, first)).toBe(true);
    expect(slots.holdsSlots(first)).toBe(true);
    expect(slots.tryAcquire(b, second)).toBe(false);
    expect(ready).toEqual([]);
    slots.release(first);
    expect(ready).toEqual([second]);
    expect(pumps()).toBe(1);
    expect(slots.holdsSlots(first)).toBe(false);
  });

  it("lets a run under way go before older runs not started, and otherwise by age", () => {
    const holder = runOf("holder", 0);
    const [older, younger, underWay] = [
      runOf("older", 1),
      runOf("younger", 2),
      runOf("busy", 3, true),
    ];
    const { ready, slots } = setup(holder, older, younger, underWay);
    const held = itemOf(holder);
    slots.tryAcquire(holder, held);
    const waiting = [younger, older, underWay].map((run) => itemOf(run));
    expect(slots.tryAcquire(younger, waiting[0]!)).toBe(false);
    expect(slots.tryAcquire(older, waiting[1]!)).toBe(false);
    expect(slots.tryAcquire(underWay, waiting[2]!)).toBe(false);
    slots.release(held);
    expect(ready.map((item) => item.runId)).toEqual(["busy"]);
  });

  it("acquires ahead only when every key has room and nobody waits", () => {
    const [a, b] = [runOf("a", 1), runOf("b", 2)];
    const { ready, slots } = setup(a, b);
    expect(slots.acquireAhead([])).toBe(false);
    expect(slots.acquireAhead(LIMIT_ONE)).toBe(true);
    expect(slots.acquireAhead(LIMIT_ONE)).toBe(false);
    const waiter = itemOf(b);
    expect(slots.tryAcquire(b, waiter)).toBe(false);
    expect(slots.acquireAhead([{ key: "fn", limit: 2 }])).toBe(false);
    slots.releaseSlots(LIMIT_ONE);
    expect(ready).toEqual([waiter]);
  });

  it("hands a run's slots to its own next call unless a waiter ranks before the run", () => {
    const [a, b] = [runOf("a", 2, true), runOf("b", 1)];
    const { slots } = setup(a, b);
    const call = itemOf(a);
    slots.tryAcquire(a, call);
    const next = { kind: "execute" as const, stepId: "step", attempt: 0, runAt: 0 };
    expect(slots.handOffSlots(a, call.id, next)).toMatchObject({ holder: call, keep: next });

    const waiter = itemOf(b);
    slots.tryAcquire(b, waiter);
    // `a` is under way, so it keeps its slots although `b` is older.
    expect(slots.handOffSlots(a, call.id, next)).toMatchObject({ keep: next });
    // Finishing, `a` hands them to the waiter, which leaves the wait list.
    const handOff = slots.handOffSlots(a, "only", undefined);
    expect(handOff).toMatchObject({ holder: call, waiter });
    if (!handOff) throw new Error("expected a hand-off");
    slots.completeHandOff(handOff, [], 7);
    expect(slots.holdsSlots(waiter)).toBe(true);
    expect(waiter).toMatchObject({ leased: true, leaseGen: 7 });
    expect(slots.holdsSlots(call)).toBe(false);
  });

  it("forgets a finished run's waiting items", () => {
    const [a, b] = [runOf("a", 1), runOf("b", 2)];
    const { ready, slots } = setup(a, b);
    const held = itemOf(a);
    slots.tryAcquire(a, held);
    slots.tryAcquire(b, itemOf(b));
    slots.dropWaiting("b");
    slots.release(held);
    expect(ready).toEqual([]);
  });
});

describe("concurrencySlotsOf", () => {
  const fn = (concurrency: FunctionConfig["concurrency"]): RegisteredFunction => ({
    slug: "app-fn",
    appName: "app",
    version: 1,
    config: { id: "fn", triggers: [], steps: {}, concurrency },
    maxAttempts: 1,
  });
  const event: InngestEvent = { name: "e", data: { tenant: "t1" }, id: "1", ts: 1, user: {} };

  it("keys a limit per function, by the key expression's value, or per scope", () => {
    expect(concurrencySlotsOf(fn(undefined), event)).toEqual([]);
    expect(concurrencySlotsOf(fn(3), event)).toEqual([{ key: "fn:app-fn:", limit: 3 }]);
    expect(
      concurrencySlotsOf(
        fn([
          { limit: 1, key: "event.data.tenant" },
          { limit: 5, key: "event.data.tenant", scope: "account" },
          { limit: 9 },
        ]),
        event,
      ),
    ).toEqual([
      { key: "fn:app-fn:t1", limit: 1 },
      { key: "account:t1", limit: 5 },
    ]);
  });

  it("ignores a limit of 0 or less", () => {
    expect(concurrencySlotsOf(fn([0, { limit: -1 }]), event)).toEqual([]);
  });
});
