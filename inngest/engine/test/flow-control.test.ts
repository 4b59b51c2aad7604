/**
 * Conformance: event-id dedupe, idempotency keys and per-key concurrency (spec §3.3, §8, §11.7, §11.16).
 */
import { describe, expect, it } from "vitest";
import { delay, overlaps, uniqueName, setupEngine, waitFor } from "./harness";

const t = setupEngine();

describe("dedupe and idempotency", () => {
  it("two events with the same `id` start one run; the second event is still stored", async () => {
    const client = t.client("dedupe");
    const eventName = uniqueName("dedupe/go");
    const seen: number[] = [];
    const fn = client.createFunction(
      { id: "dedupe", triggers: [{ event: eventName }] },
      async ({ event }) => {
        seen.push(event.data.n as number);
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const userId = uniqueName("order");
    const first = await client.send({ name: eventName, id: userId, data: { n: 1 } });
    const second = await client.send({ name: eventName, id: userId, data: { n: 2 } });
    const [firstId] = first.ids;
    const [secondId] = second.ids;
    expect(firstId).toBeTruthy();
    expect(secondId).toBeTruthy();
    expect(secondId).not.toBe(firstId);

    const run = await t.finishedRunOf(firstId!, "Completed");
    expect(run.output).toBe(1);
    // Proving a negative: a second run would start within milliseconds of the second event.
    await delay(400);
    expect(await t.runsForEvent(secondId!)).toEqual([]);
    expect(seen).toEqual([1]);
    expect(await t.getEvent(secondId!)).toMatchObject({
      name: eventName,
      id: userId,
      data: { n: 2 },
    });
  });

  it('idempotency: "event.data.key" — a second event with the same key starts no run, a different key does', async () => {
    const client = t.client("idempotency");
    const eventName = uniqueName("idem/go");
    const seen: string[] = [];
    const fn = client.createFunction(
      { id: "idem", idempotency: "event.data.key", triggers: [{ event: eventName }] },
      async ({ event }) => {
        seen.push(`${event.data.key as string}#${event.data.n as number}`);
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const [first] = await t.send({ name: eventName, data: { key: "k1", n: 1 } });
    await t.finishedRunOf(first!, "Completed");
    const [sameKey] = await t.send({ name: eventName, data: { key: "k1", n: 2 } });
    const [otherKey] = await t.send({ name: eventName, data: { key: "k2", n: 3 } });

    expect((await t.finishedRunOf(otherKey!, "Completed")).output).toBe(3);
    // Proving a negative: the same-key event was sent before the other-key one, so a wrongly
    // started run would exist by now; the margin covers engines that route asynchronously.
    await delay(400);
    expect(await t.runsForEvent(sameKey!)).toEqual([]);
    expect(seen).toEqual(["k1#1", "k2#3"]);
  });
});

describe("concurrency", () => {
  it('concurrency { limit: 1, key: "event.data.tenant" } — same-key runs never overlap, different keys do', async () => {
    const client = t.client("concurrency");
    const eventName = uniqueName("concurrency/go");
    const intervals: { tenant: string; n: number; start: number; end: number }[] = [];
    const fn = client.createFunction(
      {
        id: "keyed",
        concurrency: { limit: 1, key: "event.data.tenant" },
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        await step.run("work", async () => {
          const start = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 200));
          intervals.push({
            tenant: event.data.tenant as string,
            n: event.data.n as number,
            start,
            end: Date.now(),
          });
        });
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const events = [
      { tenant: "a", n: 1 },
      { tenant: "a", n: 2 },
      { tenant: "a", n: 3 },
      { tenant: "b", n: 4 },
      { tenant: "b", n: 5 },
    ].map((data) => ({ name: eventName, data }));
    const ids = await t.send(events);
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    await waitFor(() => intervals.length === 5, {
      message: "every run's step executed",
      timeoutMs: 2_000,
    });

    for (const tenant of ["a", "b"]) {
      const own = intervals.filter((interval) => interval.tenant === tenant);
      for (const [i, x] of own.entries()) {
        for (const y of own.slice(i + 1)) {
          expect(
            overlaps(x, y),
            `tenant ${tenant}: runs ${x.n} and ${y.n} overlap: ${JSON.stringify(own)}`,
          ).toBe(false);
        }
      }
    }
    const a = intervals.filter((interval) => interval.tenant === "a");
    const b = intervals.filter((interval) => interval.tenant === "b");
    expect(
      a.some((x) => b.some((y) => overlaps(x, y))),
      `different tenants should run concurrently: ${JSON.stringify(intervals)}`,
    ).toBe(true);
  });
  it("a run under way goes before newer runs: its next step takes a freed slot ahead of their first steps", async () => {
    const client = t.client("concurrency-order");
    const eventName = uniqueName("concurrency-order/go");
    const order: string[] = [];
    const fn = client.createFunction(
      {
        id: "ordered",
        concurrency: { limit: 1, key: "event.data.tenant" },
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        for (const name of ["first", "second", "third"]) {
          await step.run(name, async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            order.push(`${event.data.n as number}:${name}`);
          });
        }
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    // One request, so all three runs wait for the slot before the first one's first step ends.
    const ids = await t.send([1, 2, 3].map((n) => ({ name: eventName, data: { tenant: "a", n } })));
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);

    // Arrival order would give 1:first, 2:first, 3:first, 1:second, …: every run started, none done.
    expect(order).toEqual([
      "1:first",
      "1:second",
      "1:third",
      "2:first",
      "2:second",
      "2:third",
      "3:first",
      "3:second",
      "3:third",
    ]);
  });

  it("a run under way goes before an older run that has not started: a run held back by a second key does not cut in", async () => {
    const client = t.client("concurrency-under-way");
    const eventName = uniqueName("concurrency-under-way/go");
    const order: string[] = [];
    const fn = client.createFunction(
      {
        id: "two-keys",
        concurrency: [
          { limit: 1, key: "event.data.tenant" },
          { limit: 1, key: "event.data.group" },
        ],
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        const { name, steps, ms } = event.data as { name: string; steps: number; ms: number };
        for (let index = 0; index < steps; index += 1) {
          await step.run(`step-${index}`, async () => {
            await new Promise((resolve) => setTimeout(resolve, ms));
            order.push(`${name}:${index}`);
          });
        }
        return name;
      },
    );
    await t.serve(client, [fn]);

    // One request, so the runs' ages are W < X < Y. W holds group g for one long step; X
    // (tenant a, group g) waits for g while Y (tenant a, group h) starts. When W lets g go, X
    // finds tenant a busy with Y: older than Y, but Y is under way, so Y finishes first.
    const ids = await t.send([
      { name: eventName, data: { tenant: "b", group: "g", name: "W", steps: 1, ms: 300 } },
      { name: eventName, data: { tenant: "a", group: "g", name: "X", steps: 1, ms: 10 } },
      { name: eventName, data: { tenant: "a", group: "h", name: "Y", steps: 8, ms: 60 } },
    ]);
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);

    expect(order.indexOf("W:0"), JSON.stringify(order)).toBeLessThan(order.indexOf("Y:7"));
    expect(order.indexOf("X:0"), JSON.stringify(order)).toBeGreaterThan(order.indexOf("Y:7"));
  });
});
