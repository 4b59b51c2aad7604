/**
 * Conformance: the run loop — plain runs, sequential and parallel steps, repeated step ids,
 * sleeps and step.sendEvent fan-out (spec §4, §4.7, §11.8–11.11, §11.13).
 */
import { describe, expect, it } from "vitest";
import { overlaps, uniqueName, setupEngine, waitFor } from "./harness";

const t = setupEngine();

describe("runs and steps", () => {
  it("a plain function that returns a value completes with that output", async () => {
    const client = t.client("plain");
    const eventName = uniqueName("plain/go");
    let calls = 0;
    const fn = client.createFunction(
      { id: "plain", triggers: [{ event: eventName }] },
      async ({ event }) => {
        calls++;
        return { hello: event.data.name as string, nested: { list: [1, 2, 3] } };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName, data: { name: "world" } });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(run.output).toEqual({ hello: "world", nested: { list: [1, 2, 3] } });
    expect(run.event_id).toBe(eventId);
    expect(run.ended_at).toBeTruthy();
    expect(run.function_slug).toBe(`${client.id}-plain`);
    expect(calls).toBe(1);
    // The same run is served by GET /v1/runs/:id.
    expect(await t.getRun(run.run_id)).toMatchObject({
      run_id: run.run_id,
      status: "Completed",
      output: run.output,
    });
  });

  it("sequential steps each execute exactly once and their results flow to the next step", async () => {
    const client = t.client("sequential");
    const eventName = uniqueName("sequential/go");
    const executions = { a: 0, b: 0, c: 0 };
    const seen: { b?: number; c?: number } = {};
    const fn = client.createFunction(
      { id: "sequential", triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        const a = await step.run("a", () => {
          executions.a++;
          return (event.data.start as number) + 1;
        });
        const b = await step.run("b", () => {
          executions.b++;
          seen.b = a;
          return a * 10;
        });
        const c = await step.run("c", () => {
          executions.c++;
          seen.c = b;
          return `${b}!`;
        });
        return { a, b, c };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName, data: { start: 4 } });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(run.output).toEqual({ a: 5, b: 50, c: "50!" });
    expect(seen).toEqual({ b: 5, c: 50 });
    expect(executions).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("Promise.all parallel steps each execute once, and the code after them runs once with all results", async () => {
    const client = t.client("parallel");
    const eventName = uniqueName("parallel/go");
    const executions: Record<string, number> = {};
    const intervals: Record<string, { start: number; end: number }> = {};
    let afterCalls = 0;
    let received: unknown[] | undefined;
    // Uneven durations: an engine that sends a discovery call as soon as the first step finishes
    // (no coalescing) lets the SDK see the last step as "the only new step" and run it twice.
    const durations = { fast: 20, medium: 250, slow: 600 };
    const fn = client.createFunction(
      { id: "parallel", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const results = await Promise.all(
          Object.entries(durations).map(([id, ms]) =>
            step.run(id, async () => {
              executions[id] = (executions[id] ?? 0) + 1;
              const start = Date.now();
              await new Promise((resolve) => setTimeout(resolve, ms));
              intervals[id] = { start, end: Date.now() };
              return `${id}-result`;
            }),
          ),
        );
        const summary = await step.run("after", () => {
          afterCalls++;
          received = results;
          return results.join(",");
        });
        return { results, summary };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(run.output).toEqual({
      results: ["fast-result", "medium-result", "slow-result"],
      summary: "fast-result,medium-result,slow-result",
    });
    expect(executions).toEqual({ fast: 1, medium: 1, slow: 1 });
    expect(afterCalls).toBe(1);
    expect(received).toEqual(["fast-result", "medium-result", "slow-result"]);
    // Planned steps are executed concurrently (spec §11.9): the two longer bodies overlap (the
    // 20 ms one may be over before the others are dispatched).
    const { fast, medium, slow } = intervals;
    const t0 = Math.min(...Object.values(intervals).map((interval) => interval.start));
    const relative = Object.fromEntries(
      Object.entries(intervals).map(([id, { start, end }]) => [id, [start - t0, end - t0]]),
    );
    expect(
      Boolean(fast && medium && slow && overlaps(medium, slow)),
      `step bodies should overlap, got [start, end] ms: ${JSON.stringify(relative)}`,
    ).toBe(true);
  });

  it("a step id used three times executes three times with distinct results", async () => {
    const client = t.client("repeated");
    const eventName = uniqueName("repeated/go");
    let sequentialCalls = 0;
    let parallelCalls = 0;
    const fn = client.createFunction(
      { id: "repeated", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const sequential: number[] = [];
        for (let i = 0; i < 3; i++) {
          sequential.push(await step.run("same", () => ++sequentialCalls));
        }
        const parallel = await Promise.all(
          [0, 1, 2].map(() => step.run("twin", () => `twin-${++parallelCalls}`)),
        );
        return { sequential, parallel };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");

    const output = run.output as { sequential: number[]; parallel: string[] };
    expect(output.sequential).toEqual([1, 2, 3]);
    expect(sequentialCalls).toBe(3);
    expect(parallelCalls).toBe(3);
    expect([...output.parallel].sort()).toEqual(["twin-1", "twin-2", "twin-3"]);
  });

  it('step.sleep("1s") sleeps at least one second, then the run completes without re-running earlier steps', async () => {
    const client = t.client("sleep");
    const eventName = uniqueName("sleep/go");
    const executions = { before: 0, after: 0 };
    const fn = client.createFunction(
      { id: "sleep", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const before = await step.run("before", () => {
          executions.before++;
          return Date.now();
        });
        await step.sleep("nap", "1s");
        const after = await step.run("after", () => {
          executions.after++;
          return Date.now();
        });
        return { before, after };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed", 15_000);

    const { before, after } = run.output as { before: number; after: number };
    // A little tolerance for timer rounding; an engine ignoring the sleep would show ~0 ms.
    expect(after - before).toBeGreaterThanOrEqual(1_000 - 20);
    expect(executions).toEqual({ before: 1, after: 1 });
  });

  it("step.sleepUntil a date one second ahead wakes no earlier than that date", async () => {
    const client = t.client("sleep-until");
    const eventName = uniqueName("sleep-until/go");
    const executions = { target: 0, after: 0 };
    const fn = client.createFunction(
      { id: "sleep-until", triggers: [{ event: eventName }] },
      async ({ step }) => {
        // Computed inside a step so replays see the same instant.
        const target = await step.run("target", () => {
          executions.target++;
          return new Date(Date.now() + 1_000).toISOString();
        });
        await step.sleepUntil("until", new Date(target));
        const wokeAt = await step.run("after", () => {
          executions.after++;
          return Date.now();
        });
        return { target, wokeAt };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed", 15_000);

    const { target, wokeAt } = run.output as { target: string; wokeAt: number };
    expect(wokeAt).toBeGreaterThanOrEqual(Date.parse(target) - 20);
    expect(executions).toEqual({ target: 1, after: 1 });
  });

  it("step.sendEvent fan-out: one run sends N events that start N runs of another function", async () => {
    const client = t.client("fanout");
    const parentEvent = uniqueName("fanout/parent");
    const childEvent = uniqueName("fanout/child");
    const childSeen: number[] = [];
    const parent = client.createFunction(
      { id: "parent", triggers: [{ event: parentEvent }] },
      async ({ event, step }) => {
        const count = event.data.count as number;
        const sent = await step.sendEvent(
          "fan-out",
          Array.from({ length: count }, (_, index) => ({ name: childEvent, data: { index } })),
        );
        return sent.ids;
      },
    );
    const child = client.createFunction(
      { id: "child", triggers: [{ event: childEvent }] },
      async ({ event }) => {
        childSeen.push(event.data.index as number);
        return (event.data.index as number) * 2;
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: parentEvent, data: { count: 4 } });
    const parentRun = await t.finishedRunOf(eventId!, "Completed");
    const childIds = parentRun.output as string[];
    expect(childIds).toHaveLength(4);
    expect(new Set(childIds).size).toBe(4);

    const outputs: unknown[] = [];
    for (const childId of childIds) {
      const run = await t.finishedRunOf(childId, "Completed");
      expect(run.function_slug).toBe(`${client.id}-child`);
      outputs.push(run.output);
    }
    expect(outputs).toEqual([0, 2, 4, 6]);
    await waitFor(() => childSeen.length === 4, { message: "the child function runs four times" });
    expect([...childSeen].sort()).toEqual([0, 1, 2, 3]);
    // Each sent event started exactly one run.
    for (const childId of childIds) expect(await t.runsForEvent(childId)).toHaveLength(1);
  });

  it("step.invoke runs the child function and resolves with its result, or with its error", async () => {
    const client = t.client("invoke");
    const childEvent = uniqueName("invoke/child");
    const parentEvent = uniqueName("invoke/parent");
    const child = client.createFunction(
      { id: "child", retries: 0, triggers: [{ event: childEvent }] },
      async ({ event }) => {
        if (event.data.fail) throw new Error("child refused");
        return { doubled: (event.data.value as number) * 2 };
      },
    );
    const parent = client.createFunction(
      { id: "parent", triggers: [{ event: parentEvent }] },
      async ({ event, step }) => {
        const ok = await step.invoke("ok", {
          function: child,
          data: { value: event.data.value as number },
        });
        const failed = await step
          .invoke("fails", { function: child, data: { value: 0, fail: true } })
          .then(() => "no error")
          .catch((error: Error) => error.message);
        return { ok, failed };
      },
    );
    await t.serve(client, [child, parent]);

    const [eventId] = await t.send({ name: parentEvent, data: { value: 21 } });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toEqual({
      ok: { doubled: 42 },
      failed: expect.stringContaining("child refused"),
    });
  });

  it("after a parallel group that ends with a sleep, the next step is planned first (as Go's resume sends the step plan), then runs alone", async () => {
    const client = t.client("parallel-sleep");
    const eventName = uniqueName("parallel-sleep/go");
    // What each SDK request ran: one entry per invocation of the handler.
    const invocations: string[][] = [];
    const fn = client.createFunction(
      { id: "parallel-sleep", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        const ran: string[] = [];
        invocations.push(ran);
        await step.run("step-1", () => ran.push("step-1"));
        await Promise.all([
          step.run("step-2-a", () => ran.push("step-2-a")),
          step.sleep("step-2-b", "1s"),
        ]);
        await step.run("step-3", () => ran.push("step-3"));
        ran.push("end");
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed", 20_000);

    const indexOf = (entry: string) => invocations.findIndex((ran) => ran.includes(entry));
    const [a, three, end] = [indexOf("step-2-a"), indexOf("step-3"), indexOf("end")];
    // The discovery after the sleep ran nothing: it planned step-3.
    expect(three - a).toBe(2);
    expect(invocations[a + 1]).toEqual([]);
    expect(invocations[three]).toEqual(["step-3"]);
    expect(end).toBe(three + 1);
  });
});
