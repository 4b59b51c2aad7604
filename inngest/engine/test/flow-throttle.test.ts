/**
 * Conformance: `throttle: { limit, period, burst?, key? }` (issue 19, item 5) with the Go
 * server's GCRA: run starts beyond the limit are delayed, never dropped, and start in order
 * when the period allows. The spacing itself is asserted in flow-throttle's unit tests (pure,
 * no clock); here: counts, order, and that every delayed run starts.
 */
import { describe, expect, it } from "vitest";
import { setupEngine, uniqueName } from "./harness";

const t = setupEngine();

describe("throttle", () => {
  it("limit 1 per 1s: of three runs sent at once one starts, the others wait (Running, not dropped) and start in order", async () => {
    const client = t.client("throttle");
    const eventName = uniqueName("throttle/go");
    const started: number[] = [];
    const fn = client.createFunction(
      { id: "throttled", throttle: { limit: 1, period: "1s" }, triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        await step.run("start", () => {
          started.push(event.data.n as number);
        });
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const ids = await t.send([1, 2, 3].map((n) => ({ name: eventName, data: { n } })));
    const first = await t.finishedRunOf(ids[0]!, "Completed");
    expect(first.output).toBe(1);
    // Run 3 may start one period after run 2, two after run 1: it has not started yet.
    const third = await t.runOf(ids[2]!);
    expect(third.status).toBe("Running");
    expect(started).not.toContain(3);

    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    expect(started).toEqual([1, 2, 3]);
  });

  it("burst 2 on limit 1: three start at once, the fourth waits for the period", async () => {
    const client = t.client("throttle-burst");
    const eventName = uniqueName("throttle-burst/go");
    const started: number[] = [];
    const fn = client.createFunction(
      {
        id: "burst",
        throttle: { limit: 1, period: "2s", burst: 2 },
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        await step.run("start", () => {
          started.push(event.data.n as number);
        });
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const ids = await t.send([1, 2, 3, 4].map((n) => ({ name: eventName, data: { n } })));
    for (const id of ids.slice(0, 3)) await t.finishedRunOf(id, "Completed");
    expect(started).not.toContain(4);
    expect((await t.runOf(ids[3]!)).status).toBe("Running");
    expect((await t.finishedRunOf(ids[3]!, "Completed", 15_000)).output).toBe(4);
    // The three of the burst run side by side, in any order; the fourth comes after them.
    expect(started.slice(0, 3).sort()).toEqual([1, 2, 3]);
    expect(started[3]).toBe(4);
  });

  it('a key throttles each tenant apart: "event.data.tenant"', async () => {
    const client = t.client("throttle-key");
    const eventName = uniqueName("throttle-key/go");
    const started: string[] = [];
    const fn = client.createFunction(
      {
        id: "keyed",
        throttle: { limit: 1, period: "2s", key: "event.data.tenant" },
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        const label = `${event.data.tenant as string}${event.data.n as number}`;
        await step.run("start", () => {
          started.push(label);
        });
        return label;
      },
    );
    await t.serve(client, [fn]);

    const [a1, a2, b1] = await t.send([
      { name: eventName, data: { tenant: "a", n: 1 } },
      { name: eventName, data: { tenant: "a", n: 2 } },
      { name: eventName, data: { tenant: "b", n: 1 } },
    ]);
    await t.finishedRunOf(a1!, "Completed");
    await t.finishedRunOf(b1!, "Completed");
    expect(started).not.toContain("a2");
    expect((await t.finishedRunOf(a2!, "Completed", 15_000)).output).toBe("a2");
  });

  it("throttle gates a run's start only: its later steps are not delayed by other runs' starts", async () => {
    const client = t.client("throttle-steps");
    const eventName = uniqueName("throttle-steps/go");
    let starts = 0;
    const fn = client.createFunction(
      {
        id: "steps",
        throttle: { limit: 1, period: "10s" },
        triggers: [{ event: eventName }],
      },
      async ({ step }) => {
        const a = await step.run("a", () => {
          starts++;
          return 1;
        });
        const b = await step.run("b", () => 2);
        await step.sleep("nap", "10ms");
        const c = await step.run("c", () => 3);
        return a + b + c;
      },
    );
    await t.serve(client, [fn]);

    const [first, second] = await t.send([
      { name: eventName, data: {} },
      { name: eventName, data: {} },
    ]);
    // The first run takes several calls; a throttle on every call would hold it 10 s a call.
    expect((await t.finishedRunOf(first!, "Completed", 5_000)).output).toBe(6);
    expect((await t.runOf(second!)).status).toBe("Running");
    expect(starts).toBe(1);
  });
});

describe("unsupported flow control", () => {
  it("is a warn line at sync naming the function and the ignored keys; throttle and singleton are not among them", async () => {
    const client = t.client("unsupported");
    const fn = client.createFunction(
      {
        id: "mixed",
        rateLimit: { limit: 1, period: "1m" },
        debounce: { period: "1s" },
        batchEvents: { maxSize: 2, timeout: "1s" },
        throttle: { limit: 1, period: "1s" },
        singleton: { mode: "skip" },
        triggers: [{ event: uniqueName("unsupported/go") }],
      },
      async () => "ok",
    );
    await t.serve(client, [fn]);
    const warnings = t.logs.filter(
      (line) =>
        line.msg === "function.unsupported_flow_control" &&
        String(line.function).endsWith("-mixed"),
    );
    expect(warnings).toEqual([expect.objectContaining({ level: "warn" })]);
    expect([...(warnings[0]?.ignored as string[])].sort()).toEqual([
      "batchEvents",
      "debounce",
      "rateLimit",
    ]);
  });
});
