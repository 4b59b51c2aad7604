/**
 * Conformance: `defer()` (the `DeferAdd` / `DeferAbort` lazy ops) — a deferred run starts once
 * its parent run has ended, exactly once, with the deferred data and the parent linkage;
 * an aborted defer never starts; a defer recorded by a saved step survives an engine crash.
 */
import { createDefer } from "inngest/experimental";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointing, delay, gate, setupEngine, uniqueName, waitFor } from "./harness";

/** Set by a test: holds a committed checkpoint before the run in memory takes it. */
let holdCheckpoint: ((runId: string) => Promise<void> | undefined) | undefined;
const t = setupEngine({ faults: { holdCheckpoint: (runId) => holdCheckpoint?.(runId) } });
const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

type DeferredCall = {
  runId: string;
  data: Record<string, unknown>;
  parents: { fnSlug: string; runId: string }[];
  parentStatus?: string;
};

describe("defer()", () => {
  it("starts the deferred run once the parent has ended, with its data and its parent", async () => {
    const client = t.client("defer-basic");
    const eventName = uniqueName("defer/basic");
    const calls: DeferredCall[] = [];
    let parentRunId = "";
    const child = createDefer(client, { id: "child" }, async ({ event, runId, parents }) => {
      calls.push({
        runId,
        data: event.data as Record<string, unknown>,
        parents: parents.map((parent) => ({ fnSlug: parent.fnSlug, runId: parent.runId })),
        parentStatus: (await t.getRun(parentRunId))?.status,
      });
    });
    const parent = client.createFunction(
      { id: "parent", retries: 0, triggers: [{ event: eventName }] },
      async ({ defer, runId, step }) => {
        parentRunId = runId;
        defer("notify", { function: child, data: { to: "a@b.c" } });
        // Re-entry after the sleep meets the defer again: the SDK must not report it twice.
        await step.sleep("pause", "200ms");
        await step.run("after", () => "done");
        return "parent done";
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    await waitFor(() => calls.length > 0, { message: "the deferred run started" });
    // Give a duplicate deferred run time to show up.
    await delay(1000);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      data: { to: "a@b.c" },
      parents: [{ fnSlug: `${client.id}-parent`, runId: parentRunId }],
      parentStatus: "Completed",
    });
    await t.waitForStatus(calls[0]!.runId, "Completed");
  });

  it("a defer at the end of the function rides with RunComplete, in one request", async () => {
    const client = t.client("defer-end");
    const eventName = uniqueName("defer/end");
    let requests = 0;
    const ran: string[] = [];
    const child = createDefer(client, { id: "child" }, async ({ runId }) => {
      ran.push(runId);
    });
    const parent = client.createFunction(
      { id: "parent", retries: 0, triggers: [{ event: eventName }] },
      async ({ defer }) => {
        requests++;
        defer("at-end", { function: child, data: {} });
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    await waitFor(() => ran.length > 0, { message: "the deferred run started" });
    expect(requests).toBe(1);
  });

  it("a defer inside a step and one of a parent that fails both start", async () => {
    const client = t.client("defer-fail");
    const eventName = uniqueName("defer/fail");
    const ran: unknown[] = [];
    const child = createDefer(client, { id: "child" }, async ({ event }) => {
      ran.push(event.data);
    });
    const parent = client.createFunction(
      { id: "parent", retries: 0, triggers: [{ event: eventName }] },
      async ({ defer, step }) => {
        await step.run("in-step", () => {
          defer("from-step", { function: child, data: { where: "step" } });
        });
        defer("before-throw", { function: child, data: { where: "handler" } });
        throw new Error("parent fails");
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Failed");
    await waitFor(() => ran.length >= 2, { message: "both deferred runs started" });
    await delay(500);
    expect(ran).toHaveLength(2);
    expect(ran).toEqual(expect.arrayContaining([{ where: "step" }, { where: "handler" }]));
  });

  it("an aborted defer never starts, in the same request or a later one", async () => {
    const client = t.client("defer-abort");
    const eventName = uniqueName("defer/abort");
    const ran: unknown[] = [];
    const child = createDefer(client, { id: "child" }, async ({ event }) => {
      ran.push(event.data);
    });
    const parent = client.createFunction(
      { id: "parent", retries: 0, triggers: [{ event: eventName }] },
      async ({ defer, step }) => {
        const later = defer("aborted-later", { function: child, data: { which: "later" } });
        defer("kept", { function: child, data: { which: "kept" } });
        await step.run("between", () => "x");
        later.abort();
        await step.run("after-abort", () => "y");
        const same = defer("aborted-at-once", { function: child, data: { which: "same" } });
        same.abort();
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    await waitFor(() => ran.length > 0, { message: "the kept deferred run started" });
    await delay(1000);
    expect(ran).toEqual([{ which: "kept" }]);
  });

  it("a defer recorded by a saved step starts exactly once although the engine crashed before the run ended", async () => {
    const client = t.client("defer-crash");
    const eventName = uniqueName("defer/crash");
    const ran: string[] = [];
    const hold = gate();
    const child = createDefer(client, { id: "child" }, async ({ runId }) => {
      ran.push(runId);
    });
    const parent = client.createFunction(
      // Retries: without checkpointing the crash costs the blocked step an attempt.
      { id: "parent", retries: 2, triggers: [{ event: eventName }] },
      async ({ defer, step }) => {
        await step.run("record", () => {
          defer("durable", { function: child, data: {} });
          return "recorded";
        });
        await step.run("blocked", async () => {
          await hold.promise;
          return "released";
        });
      },
    );
    await t.serve(client, [parent, child]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await waitFor(
      async () => {
        const rows = await sql<{ defers: Record<string, unknown> }[]>`
          select defers from inngest_engine.runs where id = ${run.run_id}`;
        return Object.keys(rows[0]?.defers ?? {}).length === 1;
      },
      { message: "the defer was stored with its step" },
    );
    await t.crash();
    await t.start();
    hold.release();

    await t.waitForStatus(run.run_id, "Completed", 30_000);
    await waitFor(() => ran.length > 0, { message: "the deferred run started after the restart" });
    await delay(1000);
    expect(ran).toHaveLength(1);
  });

  // Checkpoint mode only: without it defers arrive in a 206, handled by the run's own request.
  it.runIf(checkpointing())(
    "a defer a checkpoint committed just before a cancel starts its deferred run",
    async () => {
      const client = t.client("defer-race");
      const eventName = uniqueName("defer/race");
      const ran: string[] = [];
      const hold = gate();
      const child = createDefer(client, { id: "child" }, async ({ runId }) => {
        ran.push(runId);
      });
      const parent = client.createFunction(
        { id: "parent", retries: 0, triggers: [{ event: eventName }] },
        async ({ defer, step }) => {
          await step.run("record", () => {
            defer("raced", { function: child, data: {} });
            return "recorded";
          });
          await step.run("blocked", async () => {
            await hold.promise;
            return "released";
          });
        },
      );
      await t.serve(client, [parent, child]);
      let cancelled: Promise<unknown> | undefined;
      // The parent's first checkpoint (its step and the defer) committed: cancel the run before
      // the run in memory has the defer. Released when the cancel ends, or after a while if the
      // cancel waits for this checkpoint.
      holdCheckpoint = (runId) => {
        if (cancelled) return undefined;
        cancelled = t.api(`/v1/runs/${runId}`, { method: "DELETE" });
        return Promise.race([cancelled.then(() => undefined), delay(1_000)]);
      };
      try {
        const [eventId] = await t.send({ name: eventName });
        const run = await t.runOf(eventId!);
        await t.waitForStatus(run.run_id, "Cancelled", 15_000);
        await waitFor(() => ran.length > 0, {
          timeoutMs: 15_000,
          message: "the deferred run started after the cancel",
        });
        await delay(1000);
        expect(ran).toHaveLength(1);
      } finally {
        holdCheckpoint = undefined;
        hold.release();
      }
    },
  );
});
