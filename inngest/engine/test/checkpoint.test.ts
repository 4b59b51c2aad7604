/**
 * Conformance: async checkpointing (`POST /v1/checkpoint/:runId/async`), as the Go server
 * serves it to the SDK: consecutive steps run in one request, each result committed before the
 * SDK starts the next step, stale requests fenced off with 409 by the lease generation in
 * `ctx.qi_id`, and the old one-step-per-request answers still understood where the SDK falls
 * back to them. `legacy/checkpoint.test.ts` runs the mode-independent part with checkpointing off.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkpointing,
  delay,
  gate,
  setupEngine,
  uniqueName,
  waitFor,
  within,
  type Gate,
} from "./harness";

let onCheckpointCommit: ((runId: string) => void) | undefined;
let refuseCheckpoints = false;
/** Per run, the step ids each committed persist, finalize or checkpoint wrote. */
const stepWrites = new Map<string, string[][]>();
const t = setupEngine({
  faults: {
    afterCheckpointCommit: (runId) => onCheckpointCommit?.(runId),
    refuseCheckpoint: () => refuseCheckpoints,
    stepsWritten: (runId, stepIds) =>
      stepWrites.set(runId, [...(stepWrites.get(runId) ?? []), stepIds]),
  },
});

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const staleCheckpoints = (runId: string) =>
  t.logs.filter((line) => line.msg === "checkpoint.stale" && line.run_id === runId).length;

describe("every SDK request", () => {
  it("carries X-Request-ID and X-Inngest-Job-Id: ctx.requestId is new per request, ctx.jobId names the queue item", async () => {
    const client = t.client("request-ids");
    const eventName = uniqueName("request-ids/go");
    const seen: { requestId?: string; jobId?: string }[] = [];
    const fn = client.createFunction(
      { id: "ids", triggers: [{ event: eventName }] },
      async ({ step, requestId, jobId }) => {
        seen.push({ requestId, jobId });
        await step.sleep("nap", "50ms");
        seen.push({ requestId, jobId });
        return "done";
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");

    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const ids of seen) {
      expect(ids.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(ids.jobId).toMatch(/^\d+$/);
    }
    const first = seen[0]!;
    const last = seen[seen.length - 1]!;
    expect(last.requestId).not.toBe(first.requestId);
    // The sleep's wake-up is another queue item than the first dispatch.
    expect(last.jobId).not.toBe(first.jobId);
  });

  it("carries a W3C traceparent: one trace per run, a new span per request (the SDK records a step's AI call metadata only under one)", async () => {
    const client = t.client("traceparent");
    const eventName = uniqueName("traceparent/go");
    const fn = client.createFunction(
      { id: "traced", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.sleep("nap", "50ms");
        return "done";
      },
    );
    const app = await t.serve(client, [fn]);
    const eventIds = await t.send([{ name: eventName }, { name: eventName }]);
    await Promise.all(eventIds.map((eventId) => t.finishedRunOf(eventId, "Completed")));

    const W3C_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
    const parsed = app.traceparents.map((header) => W3C_TRACEPARENT.exec(header ?? ""));
    expect(app.traceparents.filter((_, index) => !parsed[index])).toEqual([]);
    const traceIds = parsed.map((match) => match![1]!);
    const spanIds = parsed.map((match) => match![2]!);
    // Two runs of at least two requests each (before and after the sleep): two traces.
    expect(parsed.length).toBeGreaterThanOrEqual(4);
    expect(new Set(traceIds).size).toBe(2);
    expect(new Set(spanIds).size).toBe(spanIds.length);
  });
});

describe("step outputs", () => {
  it("each is written to the run once: a finalize after checkpoints re-sends none of them", async () => {
    const client = t.client("written-once");
    const eventName = uniqueName("written-once/go");
    const fn = client.createFunction(
      { id: "written-once", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const a = await step.run("a", () => "x".repeat(10_000));
        const b = await step.run("b", () => a.length);
        await step.sleep("nap", "50ms");
        const c = await step.run("c", () => b + 1);
        return c;
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(run.output).toBe(10_001);
    const written = (stepWrites.get(run.run_id) ?? []).flat();
    // Four steps (the sleep is one), each in exactly one write.
    expect(written).toHaveLength(4);
    expect(new Set(written).size).toBe(4);
  });
});

describe.runIf(checkpointing())("checkpoint mode", () => {
  it("runs consecutive steps in one SDK request, each once, and finalizes on 206 [RunComplete]", async () => {
    const client = t.client("back-to-back");
    const eventName = uniqueName("back-to-back/go");
    const calls = { a: 0, b: 0, c: 0 };
    const fn = client.createFunction(
      { id: "three", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const a = await step.run("a", () => ++calls.a);
        const b = await step.run("b", () => a + ++calls.b);
        const c = await step.run("c", () => b + ++calls.c);
        return { a, b, c };
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(run.output).toEqual({ a: 1, b: 2, c: 3 });
    expect(calls).toEqual({ a: 1, b: 1, c: 1 });
    expect(app.requests.POST - posts).toBe(1);
    const [stored] = await sql<{ stack: string[] }[]>`
      select stack from inngest_engine.runs where id = ${run.run_id}`;
    expect(stored?.stack).toHaveLength(3);
  });

  it("a crash after a checkpoint commits and before its 200: after a restart no step runs twice", async () => {
    const client = t.client("commit-crash");
    const eventName = uniqueName("commit-crash/go");
    const calls = { a: 0, b: 0 };
    const fn = client.createFunction(
      { id: "commit-crash", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        const a = await step.run("a", () => ++calls.a);
        const b = await step.run("b", () => ++calls.b);
        return a + b;
      },
    );
    await t.serve(client, [fn]);
    let crashing: Promise<void> | undefined;
    onCheckpointCommit = () => {
      onCheckpointCommit = undefined;
      crashing = t.crash();
    };
    const [eventId] = await t.send({ name: eventName });
    await waitFor(() => crashing !== undefined, { message: "a checkpoint commits" });
    await crashing;
    await t.start();
    // Asked of the restarted engine: the first checkpoint can commit (and crash the engine)
    // before the crashed one has been asked anything.
    const run = await t.runOf(eventId!);

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    expect(finished.output).toBe(2);
    await delay(300); // proving a negative: nothing reruns late
    expect(calls).toEqual({ a: 1, b: 1 });
  });

  it("a request dispatched before a restart is fenced once its step is dispatched again: 409, and it runs no further step", async () => {
    const client = t.client("stale");
    const eventName = uniqueName("stale/go");
    const holds: Gate[] = [gate(), gate()];
    const entered: Gate[] = [gate(), gate()];
    const bAttempts: number[] = [];
    const fn = client.createFunction(
      { id: "stale", retries: 1, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        const a = await step.run("a", async () => {
          entered[attempt]?.release();
          await holds[attempt]?.promise;
          return `a@${attempt}`;
        });
        const b = await step.run("b", () => {
          bAttempts.push(attempt);
          return "b";
        });
        return `${a} ${b}`;
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await within(entered[0]!.promise, 10_000, "the first request starts step a");
    await t.crash();
    await t.start();
    // After the grace, the restarted engine dispatches the step again (attempt 1, a new lease generation).
    await within(entered[1]!.promise, 15_000, "the step is dispatched again");

    holds[0]!.release();
    await waitFor(() => staleCheckpoints(run.run_id) > 0, {
      message: "the first request's checkpoint is refused as stale",
    });
    await delay(300); // proving a negative: the fenced request does not go on to step b
    expect(bAttempts).toEqual([]);

    holds[1]!.release();
    const finished = await t.waitForStatus(run.run_id, "Completed", 10_000);
    expect(finished.output).toBe("a@1 b");
    // attempt > 0: the SDK answered after one step, and b started afresh at attempt 0.
    expect(bAttempts).toEqual([0]);
  });

  it("a crash with a step in flight: the interrupted request's checkpoint, reaching the restarted engine, is kept", async () => {
    const client = t.client("kept");
    const eventName = uniqueName("kept/go");
    const hold = gate();
    const entered = gate();
    const attempts: number[] = [];
    const fn = client.createFunction(
      { id: "kept", retries: 0, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        const turn = await step.run("turn", async () => {
          attempts.push(attempt);
          entered.release();
          await hold.promise;
          return "turn done";
        });
        const finish = await step.run("finish", () => `${turn}, finished`);
        return finish;
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await within(entered.promise, 10_000, "the step starts");
    await t.crash();
    await t.start();
    hold.release();

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    expect(finished.output).toBe("turn done, finished");
    expect(attempts).toEqual([0]);
  });

  it("checkpoint endpoint unavailable: the SDK falls back to 206 [StepRun] and the run completes, each step once", async () => {
    const client = t.client("fallback");
    const eventName = uniqueName("fallback/go");
    const calls = { a: 0, b: 0 };
    const fn = client.createFunction(
      { id: "fallback", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const a = await step.run("a", () => ++calls.a);
        const b = await step.run("b", () => ++calls.b);
        return a + b;
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    refuseCheckpoints = true;
    try {
      const [eventId] = await t.send({ name: eventName });
      const run = await t.finishedRunOf(eventId!, "Completed", 20_000);
      expect(run.output).toBe(2);
    } finally {
      refuseCheckpoints = false;
    }
    expect(calls).toEqual({ a: 1, b: 1 });
    // One request per step and a last one: the old protocol.
    expect(app.requests.POST - posts).toBe(3);
  });

  it("attempt > 0 stops after one step; the next request, at attempt 0, checkpoints the rest", async () => {
    const client = t.client("retry-one");
    const eventName = uniqueName("retry-one/go");
    const seen: { step: string; attempt: number }[] = [];
    const fn = client.createFunction(
      { id: "retry-one", retries: 1, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        await step.run("a", () => {
          seen.push({ step: "a", attempt });
          if (attempt === 0) throw new Error("first attempt fails");
          return "a";
        });
        await step.run("b", () => seen.push({ step: "b", attempt }));
        await step.run("c", () => seen.push({ step: "c", attempt }));
        return "done";
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    expect(seen).toEqual([
      { step: "a", attempt: 0 },
      { step: "a", attempt: 1 },
      { step: "b", attempt: 0 },
      { step: "c", attempt: 0 },
    ]);
    // a fails; a again at attempt 1, answered alone; b, c and the result in one request.
    expect(app.requests.POST - posts).toBe(3);
  });

  it("Promise.all still plans: parallel steps are dispatched one by one, then checkpointing resumes", async () => {
    const client = t.client("parallel");
    const eventName = uniqueName("parallel/go");
    const calls = { a: 0, b: 0, c: 0 };
    const fn = client.createFunction(
      { id: "parallel", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const [a, b] = await Promise.all([
          step.run("a", () => ++calls.a),
          step.run("b", () => ++calls.b * 10),
        ]);
        const c = await step.run("c", () => a + b + ++calls.c * 100);
        return c;
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe(111);
    expect(calls).toEqual({ a: 1, b: 1, c: 1 });
    // Plan (206 [StepPlanned a, StepPlanned b]), a, b, then c and the result in one request.
    expect(app.requests.POST - posts).toBe(4);
  });

  it("maxRuntime: the SDK hands the next step back as StepPlanned, and the run completes", async () => {
    const client = t.client("max-runtime");
    const eventName = uniqueName("max-runtime/go");
    const calls = { a: 0, b: 0, c: 0 };
    const fn = client.createFunction(
      { id: "max-runtime", checkpointing: { maxRuntime: "1s" }, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("a", async () => {
          calls.a++;
          await delay(1_200);
        });
        await step.run("b", () => calls.b++);
        await step.run("c", () => calls.c++);
        return "done";
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    expect(calls).toEqual({ a: 1, b: 1, c: 1 });
    // a (checkpointed), then b planned; b run as a requested step; then c and the result.
    expect(app.requests.POST - posts).toBe(3);
  });

  it("a cancel during a checkpointing request stops it between steps: its next checkpoint gets 409", async () => {
    const client = t.client("cancel-between");
    const eventName = uniqueName("cancel-between/go");
    const hold = gate();
    const entered = gate();
    let bCalls = 0;
    const fn = client.createFunction(
      { id: "cancel-between", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("a", async () => {
          entered.release();
          await hold.promise;
        });
        await step.run("b", () => ++bCalls);
        return "done";
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await within(entered.promise, 10_000, "step a starts");
    expect((await t.api(`/v1/runs/${run.run_id}`, { method: "DELETE" })).httpStatus).toBe(200);
    hold.release();
    await waitFor(() => staleCheckpoints(run.run_id) > 0, {
      message: "step a's checkpoint is refused",
    });
    await delay(300); // proving a negative: b never starts
    expect(bCalls).toBe(0);
    expect((await t.getRun(run.run_id))?.status).toBe("Cancelled");
  });

  it("the endpoint saves StepRun once, ignores StepPlanned and defers, and rejects other opcodes and bad bodies with 400", async () => {
    const client = t.client("endpoint");
    const eventName = uniqueName("endpoint/go");
    const hold = gate();
    const entered = gate();
    const fn = client.createFunction(
      { id: "endpoint", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("a", async () => {
          entered.release();
          await hold.promise;
        });
        return "done";
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await within(entered.promise, 10_000, "step a starts");
    const [item] = await sql<{ id: string; lease_gen: number }[]>`
      select id, lease_gen from inngest_engine.queue where run_id = ${run.run_id} and leased_at is not null`;
    const qi = `${item!.id}.${item!.lease_gen}`;
    const post = (body: unknown) =>
      t.api<{ status: number }>(`/v1/checkpoint/${run.run_id}/async`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const stored = async () =>
      (
        await sql<{ steps: Record<string, unknown>; stack: string[] }[]>`
          select steps, stack from inngest_engine.runs where id = ${run.run_id}`
      )[0];

    const ops = [
      { id: "x1", op: "StepPlanned" },
      { id: "x2", op: "StepRun", data: { n: 1 } },
      { id: "x2", op: "StepRun", data: { n: 2 } },
      { id: "x3", op: "DeferAdd" },
    ];
    expect((await post({ run_id: run.run_id, qi_id: qi, steps: ops })).httpStatus).toBe(200);
    expect((await post({ run_id: run.run_id, qi_id: qi, steps: ops.slice(1) })).httpStatus).toBe(
      200,
    );
    expect(await stored()).toEqual({ steps: { x2: { data: { n: 1 } } }, stack: ["x2"] });

    for (const body of [
      { qi_id: qi, steps: [{ id: "x4", op: "Sleep" }] },
      {
        qi_id: qi,
        steps: [
          { id: "x4", op: "StepRun" },
          { id: "x5", op: "StepError" },
        ],
      },
      { qi_id: qi },
      { qi_id: "not-a-ref", steps: [] },
      { steps: [{ id: "x4", op: "StepRun" }] },
    ]) {
      expect({ body, status: (await post(body)).httpStatus }).toMatchObject({ status: 400 });
    }
    expect(
      (await post({ qi_id: `${item!.id}.${item!.lease_gen + 1}`, steps: [] })).httpStatus,
    ).toBe(409);
    expect((await stored())?.stack).toEqual(["x2"]);
    hold.release();
    await t.waitForStatus(run.run_id, "Completed");
  });
});
