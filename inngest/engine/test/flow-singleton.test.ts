/**
 * Conformance: `singleton: { key?, mode }` (issue 19, item 5): at most one run per function and
 * key. `skip` drops a new run while one runs (no run, no queue item: logged `run.skipped`, as
 * the Go server records a skipped run); `cancel` cancels the running one (like any
 * cancellation: `function.cancelled`, no onFailure) and starts the new one.
 */
import { describe, expect, it } from "vitest";
import { gate, uniqueName, setupEngine, waitFor } from "./harness";

const t = setupEngine();

function skippedLines(functionSuffix: string) {
  return t.logs.filter(
    (line) =>
      line.msg === "run.skipped" &&
      line.reason === "singleton" &&
      String(line.function).endsWith(functionSuffix),
  );
}

describe("singleton", () => {
  it('mode "skip": an event sent while a run is under way starts no run; once it ended, the next one does', async () => {
    const client = t.client("singleton-skip");
    const eventName = uniqueName("singleton-skip/go");
    const release = gate();
    const started: number[] = [];
    const fn = client.createFunction(
      { id: "skip", singleton: { mode: "skip" }, triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        await step.run("work", async () => {
          started.push(event.data.n as number);
          await release.promise;
        });
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const [first] = await t.send({ name: eventName, data: { n: 1 } });
    const firstRun = await t.runOf(first!);
    await waitFor(() => started.includes(1), { message: "the first run's step started" });

    // The send returns once its runs are decided: a skipped run is never created.
    const [second] = await t.send({ name: eventName, data: { n: 2 } });
    expect(await t.runsForEvent(second!)).toEqual([]);
    expect(skippedLines("skip")).toContainEqual(
      expect.objectContaining({ event_id: second, running_run_id: firstRun.run_id }),
    );

    release.release();
    expect((await t.waitForStatus(firstRun.run_id, "Completed")).output).toBe(1);
    const [third] = await t.send({ name: eventName, data: { n: 3 } });
    expect((await t.finishedRunOf(third!, "Completed")).output).toBe(3);
    expect(await t.runsForEvent(second!)).toEqual([]);
    expect(started).toEqual([1, 3]);
  });

  it('mode "cancel": a new event cancels the run under way (no onFailure) and its own run completes', async () => {
    const client = t.client("singleton-cancel");
    const eventName = uniqueName("singleton-cancel/go");
    const release = gate();
    const started: number[] = [];
    const failures: string[] = [];
    const fn = client.createFunction(
      {
        id: "cancel",
        retries: 0,
        singleton: { mode: "cancel" },
        triggers: [{ event: eventName }],
        onFailure: async ({ event }) => {
          failures.push(event.data.run_id);
        },
      },
      async ({ event, step }) => {
        await step.run("work", async () => {
          started.push(event.data.n as number);
          if (event.data.n === 1) await release.promise;
        });
        await step.run("after", () => `after ${event.data.n as number}`);
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);

    const [first] = await t.send({ name: eventName, data: { n: 1 } });
    const firstRun = await t.runOf(first!);
    await waitFor(() => started.includes(1), { message: "the first run's step started" });

    const [second] = await t.send({ name: eventName, data: { n: 2 } });
    await t.waitForStatus(firstRun.run_id, "Cancelled");
    expect((await t.finishedRunOf(second!, "Completed")).output).toBe(2);
    release.release();
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: "run.singleton_cancelled", run_id: firstRun.run_id }),
    );
    // The cancelled run's request answers now; nothing of it is recorded, and no onFailure runs.
    const [probe] = await t.send({ name: eventName, data: { n: 3 } });
    await t.finishedRunOf(probe!, "Completed");
    expect((await t.getRun(firstRun.run_id))?.status).toBe("Cancelled");
    expect(failures).toEqual([]);
    expect(started).toEqual([1, 2, 3]);
  });

  it('a key separates the locks: "event.data.tenant" skips only the same tenant', async () => {
    const client = t.client("singleton-key");
    const eventName = uniqueName("singleton-key/go");
    const release = gate();
    const started: string[] = [];
    const fn = client.createFunction(
      {
        id: "keyed",
        singleton: { key: "event.data.tenant", mode: "skip" },
        triggers: [{ event: eventName }],
      },
      async ({ event, step }) => {
        const label = `${event.data.tenant as string}${event.data.n as number}`;
        await step.run("work", async () => {
          started.push(label);
          if (event.data.tenant === "a") await release.promise;
        });
        return label;
      },
    );
    await t.serve(client, [fn]);

    const [a1] = await t.send({ name: eventName, data: { tenant: "a", n: 1 } });
    await waitFor(() => started.includes("a1"), { message: "tenant a's run started" });
    const [a2, b1] = await t.send([
      { name: eventName, data: { tenant: "a", n: 2 } },
      { name: eventName, data: { tenant: "b", n: 1 } },
    ]);
    expect((await t.finishedRunOf(b1!, "Completed")).output).toBe("b1");
    expect(await t.runsForEvent(a2!)).toEqual([]);
    release.release();
    expect((await t.finishedRunOf(a1!, "Completed")).output).toBe("a1");
    expect(started.sort()).toEqual(["a1", "b1"]);
  });

  it('a cron with mode "skip": a tick while the previous tick\'s run is under way is skipped, not queued', async () => {
    const client = t.client("singleton-cron");
    const release = gate();
    let runs = 0;
    const fn = client.createFunction(
      { id: "sweeper", singleton: { mode: "skip" }, triggers: [{ cron: "@every 1s" }] },
      async ({ step }) => {
        await step.run("sweep", async () => {
          runs++;
          await release.promise;
        });
        return "swept";
      },
    );
    await t.serve(client, [fn]);

    await waitFor(() => runs === 1, { message: "the first tick's run started", timeoutMs: 5_000 });
    await waitFor(() => skippedLines("sweeper").length >= 1, {
      message: "a tick during the run is skipped",
      timeoutMs: 5_000,
    });
    expect(runs).toBe(1);
    release.release();
    // The next tick after the run ended starts a run again.
    await waitFor(() => runs >= 2, { message: "a later tick runs", timeoutMs: 5_000 });
    // Deregister the cron so it stops ticking for the rest of the file.
    await t.serve(client, []);
  });

  it("the lock survives a restart: a run under way before it still makes a new event skip", async () => {
    const client = t.client("singleton-restart");
    const eventName = uniqueName("singleton-restart/go");
    const release = gate();
    const started: number[] = [];
    const fn = client.createFunction(
      { id: "restart", singleton: { mode: "skip" }, triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        await step.run("work", async () => {
          started.push(event.data.n as number);
          await release.promise;
        });
        return event.data.n as number;
      },
    );
    await t.serve(client, [fn]);
    const [first] = await t.send({ name: eventName, data: { n: 1 } });
    const firstRun = await t.runOf(first!);
    await waitFor(() => started.includes(1), { message: "the first run's step started" });

    await t.crash();
    await t.start();
    const [second] = await t.send({ name: eventName, data: { n: 2 } });
    expect(await t.runsForEvent(second!)).toEqual([]);
    expect(skippedLines("restart")).toContainEqual(
      expect.objectContaining({ event_id: second, running_run_id: firstRun.run_id }),
    );
    release.release();
    await t.waitForStatus(firstRun.run_id, "Completed", 15_000);
  });
});
