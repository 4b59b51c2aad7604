import { describe, expect, it } from "vitest";
import { planOps, type OpPlanInput } from "../op-planner";
import { COMPLETE_OP_ID, EVENTS, type Op } from "../protocol";

const NOW = 1_000_000;

function input(ops: Op[], overrides: Partial<OpPlanInput> = {}): OpPlanInput {
  return {
    run: { id: "run-1", functionSlug: "app-fn", steps: {}, pending: new Set(), maxAttempts: 3 },
    attempt: 0,
    ops,
    noRetry: false,
    retryAfter: null,
    now: NOW,
    tooLarge: new Map(),
    stepBytesLimit: 4,
    ...overrides,
  };
}

describe("planOps", () => {
  it("saves a StepRun's data and asks for discovery once nothing is pending", () => {
    const plan = planOps(input([{ id: "a", op: "StepRun", data: { n: 1 } }]));
    expect(plan.saves).toEqual([{ id: "a", value: { data: { n: 1 } } }]);
    expect(plan.end).toEqual({
      kind: "persist",
      next: [],
      emit: [],
      rediscover: true,
      stepPlanDone: true,
    });
  });

  it("never saves a step twice, and fails a step whose output is over the limit", () => {
    const plan = planOps(
      input(
        [
          { id: "known", op: "StepRun", data: 2 },
          { id: "big", op: "StepRun", data: "xxxxx" },
        ],
        {
          run: {
            id: "r",
            functionSlug: "f",
            steps: { known: { data: 1 } },
            pending: new Set(),
            maxAttempts: 1,
          },
          tooLarge: new Map([["big", 5]]),
        },
      ),
    );
    expect(plan.saves.map((save) => save.id)).toEqual(["big"]);
    expect(plan.saves[0]?.value).toMatchObject({ error: { name: expect.any(String) } });
  });

  it("turns a Sleep into a timer item and waits on it, without discovery", () => {
    const plan = planOps(input([{ id: "nap", op: "Sleep", name: "10s" }]));
    expect(plan.waiting).toEqual(["nap"]);
    expect(plan.end).toMatchObject({
      kind: "persist",
      next: [{ kind: "sleep", stepId: "nap", attempt: 0, runAt: NOW + 10_000 }],
      rediscover: false,
    });
  });

  it("turns a WaitForEvent into a wait with its expression and timeout", () => {
    const plan = planOps(
      input([
        {
          id: "w",
          op: "WaitForEvent",
          name: "app/approved",
          opts: { timeout: "1h", if: "x == 1" },
        },
      ]),
    );
    expect(plan.end).toMatchObject({
      kind: "persist",
      next: [
        {
          kind: "wait-timeout",
          stepId: "w",
          runAt: NOW + 3_600_000,
          wait: {
            kind: "event",
            eventName: "app/approved",
            expression: "x == 1",
            correlationId: null,
          },
        },
      ],
    });
  });

  it("plans an InvokeFunction as an invoke wait plus the function.invoked event to emit", () => {
    const plan = planOps(
      input([
        {
          id: "call",
          op: "InvokeFunction",
          opts: { function_id: "app-child", payload: { data: { x: 1 } }, timeout: "1m" },
        },
      ]),
    );
    if (plan.end.kind !== "persist") throw new Error(`expected persist, got ${plan.end.kind}`);
    expect(plan.end.next[0]?.wait).toMatchObject({
      kind: "invoke",
      correlationId: "run-1.call",
      expiresAt: NOW + 60_000,
    });
    expect(plan.end.emit).toEqual([
      {
        name: EVENTS.functionInvoked,
        data: {
          x: 1,
          _inngest: { fn_id: "app-child", correlation_id: "run-1.call", source_fn_id: "app-fn" },
        },
      },
    ]);
  });

  it("ends the run on RunComplete, keeping the steps saved before it", () => {
    const plan = planOps(
      input([
        { id: "a", op: "StepRun", data: 1 },
        { id: COMPLETE_OP_ID, op: "RunComplete", data: "done" },
      ]),
    );
    expect(plan.saves.map((save) => save.id)).toEqual(["a"]);
    expect(plan.end).toEqual({ kind: "finalize", status: "Completed", output: "done" });
  });

  it("retries a StepError with attempts left, honouring retry-after", () => {
    const plan = planOps(
      input([{ id: "s", op: "StepError", error: { name: "Error", message: "boom" } }], {
        retryAfter: "7",
      }),
    );
    expect(plan.end).toEqual({ kind: "retry", opId: "s", retryAfterMs: 7_000 });
    expect(plan.saves).toEqual([]);
  });

  it("saves a StepError as the step's error on the last attempt, or with no-retry", () => {
    const error = { name: "Error", message: "boom" };
    for (const overrides of [{ attempt: 2 }, { noRetry: true }]) {
      const plan = planOps(input([{ id: "s", op: "StepError", error }], overrides));
      expect(plan.saves).toEqual([{ id: "s", value: { error } }]);
      expect(plan.end).toMatchObject({ kind: "persist", rediscover: true });
    }
  });

  it("fails the run when the function body's final StepError arrives", () => {
    const error = { name: "Error", message: "boom" };
    const plan = planOps(input([{ id: COMPLETE_OP_ID, op: "StepError", error }], { attempt: 2 }));
    expect(plan.end).toEqual({ kind: "finalize", status: "Failed", output: error });
  });

  it("queues parallel StepPlanned ops and keeps the step plan until they resolve", () => {
    const plan = planOps(
      input([
        { id: "p1", op: "StepPlanned" },
        { id: "p2", op: "StepPlanned" },
      ]),
    );
    expect(plan.waiting).toEqual(["p1", "p2"]);
    expect(plan.end).toMatchObject({
      kind: "persist",
      next: [
        { kind: "execute", stepId: "p1", runAt: NOW },
        { kind: "execute", stepId: "p2", runAt: NOW },
      ],
      rediscover: false,
      stepPlanDone: false,
    });
  });

  it("saves an unsupported op as a step error and reports it", () => {
    const plan = planOps(input([{ id: "x", op: "Gateway" }]));
    expect(plan.unsupported).toEqual(["Gateway"]);
    expect(plan.saves[0]?.value).toEqual({
      error: { name: "Error", message: "Gateway is not supported by the embedded engine" },
    });
  });
});
