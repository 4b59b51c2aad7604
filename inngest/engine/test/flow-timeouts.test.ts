/**
 * Conformance: `timeouts.start` / `timeouts.finish` (Inngest's function timeouts). `start` bounds
 * the wait from enqueue to the first request (waiting for concurrency counts), `finish` the time
 * from the first request to the end. A run past either is cancelled as Inngest cancels it:
 * `inngest/function.cancelled` (and `function.finished`), never `function.failed`, so
 * `onFailure` does not run.
 */
import { describe, expect, it } from "vitest";
import { delay, gate, uniqueName, setupEngine, waitFor, type Gate } from "./harness";

const t = setupEngine();

describe("timeouts", () => {
  it("timeouts.start cancels a run that could not start in time (its concurrency slot held)", async () => {
    const client = t.client("start-timeout");
    const eventName = uniqueName("start-timeout/go");
    const blocker: Gate = gate();
    const blockerRunning: Gate = gate();
    const ran: string[] = [];
    const failures: string[] = [];
    const cancelled: string[] = [];
    const fn = client.createFunction(
      {
        id: "waits-to-start",
        concurrency: { limit: 1, key: "event.data.tenant" },
        timeouts: { start: "1s" },
        triggers: [{ event: eventName }],
        onFailure: ({ event }) => {
          failures.push(event.data.run_id);
        },
      },
      async ({ event, step }) => {
        const name = event.data.name as string;
        await step.run("work", async () => {
          ran.push(name);
          if (name === "blocker") {
            blockerRunning.release();
            await blocker.promise;
          }
        });
        return name;
      },
    );
    const watcher = client.createFunction(
      {
        id: "cancellations",
        triggers: [
          {
            event: "inngest/function.cancelled",
            if: `event.data.function_id == "${fn.id(client.id)}"`,
          },
        ],
      },
      async ({ event }) => {
        cancelled.push(event.data.run_id as string);
      },
    );
    await t.serve(client, [fn, watcher]);

    const [blockerId] = await t.send({ name: eventName, data: { tenant: "a", name: "blocker" } });
    await blockerRunning.promise;
    const [waitingId] = await t.send({ name: eventName, data: { tenant: "a", name: "waiting" } });
    const waiting = await t.runOf(waitingId!);

    await t.waitForStatus(waiting.run_id, "Cancelled", 10_000);
    await waitFor(() => cancelled.includes(waiting.run_id), {
      message: "function.cancelled should be emitted for the timed-out run",
    });
    blocker.release();
    await t.finishedRunOf(blockerId!, "Completed", 10_000);
    // The slot came free: a run wrongly left queued would take it within milliseconds.
    await delay(300);
    expect(ran).toEqual(["blocker"]);
    expect(failures).toEqual([]);
    expect((await t.getRun(waiting.run_id))?.status).toBe("Cancelled");
    expect(
      t.logs.some(
        (line) =>
          line.msg === "run.timed_out" &&
          line.run_id === waiting.run_id &&
          line.timeout === "start",
      ),
    ).toBe(true);
  });

  it("timeouts.finish cancels a run still going after the limit (mid-request)", async () => {
    const client = t.client("finish-timeout");
    const eventName = uniqueName("finish-timeout/go");
    const slow: Gate = gate();
    const ran: string[] = [];
    const failures: string[] = [];
    const fn = client.createFunction(
      {
        id: "runs-too-long",
        timeouts: { finish: "1s" },
        triggers: [{ event: eventName }],
        onFailure: ({ event }) => {
          failures.push(event.data.run_id);
        },
      },
      async ({ step }) => {
        await step.run("slow", async () => {
          ran.push("slow");
          await slow.promise;
        });
        await step.run("after", () => {
          ran.push("after");
        });
        return "done";
      },
    );
    await t.serve(client, [fn]);

    const [id] = await t.send({ name: eventName, data: {} });
    const run = await t.runOf(id!);
    await t.waitForStatus(run.run_id, "Cancelled", 10_000);
    slow.release();
    // The request answers after the cancellation: its result is not recorded, nothing more runs.
    await delay(500);
    expect(ran).toEqual(["slow"]);
    expect(failures).toEqual([]);
    expect((await t.getRun(run.run_id))?.status).toBe("Cancelled");
  });

  it("timeouts.finish cancels a sleeping run; timeouts.start does not touch a started one", async () => {
    const client = t.client("finish-sleep");
    const eventName = uniqueName("finish-sleep/go");
    const ran: string[] = [];
    const fn = client.createFunction(
      {
        id: "sleeps-too-long",
        timeouts: { start: "1s", finish: "2s" },
        triggers: [{ event: eventName }],
      },
      async ({ step }) => {
        await step.run("before", () => {
          ran.push("before");
        });
        await step.sleep("nap", "1m");
        await step.run("after", () => {
          ran.push("after");
        });
      },
    );
    await t.serve(client, [fn]);

    const [id] = await t.send({ name: eventName, data: {} });
    const run = await t.runOf(id!);
    await t.waitForStatus(run.run_id, "Cancelled", 10_000);
    expect(ran).toEqual(["before"]);
    const timedOut = t.logs.filter(
      (line) => line.msg === "run.timed_out" && line.run_id === run.run_id,
    );
    expect(timedOut.map((line) => line.timeout)).toEqual(["finish"]);
  });

  it("a started run's finish deadline survives an engine restart", async () => {
    const client = t.client("finish-restart");
    const eventName = uniqueName("finish-restart/go");
    const ran: string[] = [];
    const fn = client.createFunction(
      { id: "sleeps-across-restart", timeouts: { finish: "1s" }, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("before", () => {
          ran.push("before");
        });
        await step.sleep("nap", "1m");
      },
    );
    await t.serve(client, [fn]);

    const [id] = await t.send({ name: eventName, data: {} });
    const run = await t.runOf(id!);
    await waitFor(() => ran.length === 1, { message: "the run should have run its first step" });
    // Let the sleep be stored, then lose every in-memory timer.
    await delay(200);
    await t.crash();
    await t.start();
    await t.waitForStatus(run.run_id, "Cancelled", 10_000);
  });

  it("a run within its limits completes", async () => {
    const client = t.client("in-time");
    const eventName = uniqueName("in-time/go");
    const fn = client.createFunction(
      {
        id: "quick",
        timeouts: { start: "10s", finish: "10s" },
        triggers: [{ event: eventName }],
      },
      async ({ step }) => step.run("quick", () => "ok"),
    );
    await t.serve(client, [fn]);
    const [id] = await t.send({ name: eventName, data: {} });
    expect((await t.finishedRunOf(id!, "Completed")).output).toBe("ok");
  });
});
