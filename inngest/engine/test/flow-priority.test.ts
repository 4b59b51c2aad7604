/**
 * Conformance: `priority.run` (Inngest's flow-control priority). A run's factor in seconds moves
 * it ahead of (or behind) runs not yet under way that were enqueued up to that many seconds
 * earlier, within a concurrency key; the factor is clamped to ±600 s; an expression that does
 * not give an integer counts as 0 and is logged.
 */
import { describe, expect, it } from "vitest";
import { gate, uniqueName, setupEngine, waitFor, type Gate } from "./harness";

const t = setupEngine();

/**
 * A function under `concurrency: 1` per tenant whose priority is `event.data.priority`. Each run
 * records its name when its one step runs; the run named `blocker` holds the slot until
 * `blocker.release()`, so the runs sent meanwhile queue up behind it.
 */
async function queueBehindBlocker(priority: string) {
  const client = t.client("priority");
  const eventName = uniqueName("priority/go");
  const blocker: Gate = gate();
  const blockerRunning: Gate = gate();
  const order: string[] = [];
  const fn = client.createFunction(
    {
      id: "prioritized",
      concurrency: { limit: 1, key: "event.data.tenant" },
      priority: { run: priority },
      triggers: [{ event: eventName }],
    },
    async ({ event, step }) => {
      const name = event.data.name as string;
      await step.run("work", async () => {
        if (name === "blocker") {
          blockerRunning.release();
          await blocker.promise;
        }
        order.push(name);
      });
      return name;
    },
  );
  await t.serve(client, [fn]);
  const [blockerId] = await t.send({
    name: eventName,
    data: { tenant: "a", name: "blocker", priority: 0 },
  });
  await blockerRunning.promise;
  const send = async (name: string, value: unknown) => {
    const [id] = await t.send({ name: eventName, data: { tenant: "a", name, priority: value } });
    // Each run waits for the slot before the next is sent, so their enqueue order is certain.
    await t.runOf(id!);
    return id!;
  };
  return { blocker, blockerId: blockerId!, order, send };
}

describe("priority.run", () => {
  it("a run with a positive factor starts before the older backlog waiting for the same key", async () => {
    const q = await queueBehindBlocker("event.data.priority");
    const ids = [
      await q.send("low-1", 0),
      await q.send("low-2", 0),
      await q.send("low-3", 0),
      await q.send("urgent", 120),
    ];
    q.blocker.release();
    await t.finishedRunOf(q.blockerId, "Completed", 15_000);
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    expect(q.order).toEqual(["blocker", "urgent", "low-1", "low-2", "low-3"]);
  });

  it("a negative factor puts a run behind newer ones", async () => {
    const q = await queueBehindBlocker("event.data.priority");
    const ids = [await q.send("later", -60), await q.send("normal", 0)];
    q.blocker.release();
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    expect(q.order).toEqual(["blocker", "normal", "later"]);
  });

  it("factors are clamped to ±600 s: a huge factor does not pass an older run with 600", async () => {
    const q = await queueBehindBlocker("event.data.priority");
    const ids = [
      await q.send("plain", 0),
      await q.send("max", 600),
      await q.send("huge", 1_000_000),
    ];
    q.blocker.release();
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    // Unclamped, "huge" would go first; clamped, it ties with "max", which is older.
    expect(q.order).toEqual(["blocker", "max", "huge", "plain"]);
  });

  it("an expression that gives no integer counts as 0 and is logged", async () => {
    const q = await queueBehindBlocker("event.data.priority");
    const ids = [
      await q.send("first", 0),
      await q.send("text", "high"),
      await q.send("urgent", 30),
    ];
    q.blocker.release();
    for (const id of ids) await t.finishedRunOf(id, "Completed", 15_000);
    expect(q.order).toEqual(["blocker", "urgent", "first", "text"]);
    await waitFor(() => t.logs.some((line) => line.msg === "run.priority_invalid"), {
      message: "the engine should log the priority expression's non-integer result",
      timeoutMs: 2_000,
    });
  });
});
