/**
 * Conformance: cancellation — cancelOn events, REST DELETE /v1/runs/:id and bulk
 * POST /v1/cancellations (spec §6, §11.14).
 */
import { describe, expect, it } from "vitest";
import { delay, gate, uniqueName, setupEngine, waitFor, within, type Gate } from "./harness";

const t = setupEngine();

/**
 * One app with a function that can be cancelled by `<cancel>` events matching `data.id`.
 * Per run (keyed by `data.id`): step "one" (optionally blocking until released), an optional
 * sleep, step "two". Everything it does is recorded.
 */
async function cancellableApp() {
  const client = t.client("cancel");
  const start = uniqueName("cancel/start");
  const cancel = uniqueName("cancel/stop");
  const executed: string[] = [];
  const failures: string[] = [];
  const holds = new Map<string, { entered: Gate; release: Gate }>();
  const hold = (id: string) => {
    const entry = { entered: gate(), release: gate() };
    holds.set(id, entry);
    return entry;
  };

  const fn = client.createFunction(
    {
      id: "cancellable",
      retries: 0,
      triggers: [{ event: start }],
      cancelOn: [{ event: cancel, match: "data.id" }],
      onFailure: async ({ event }) => {
        failures.push(event.data.event.data.id as string);
      },
    },
    async ({ event, step }) => {
      const id = event.data.id as string;
      await step.run("one", async () => {
        executed.push(`${id}:one`);
        const entry = holds.get(id);
        if (entry) {
          entry.entered.release();
          await entry.release.promise;
        }
      });
      if (typeof event.data.sleep === "string") await step.sleep("nap", event.data.sleep);
      await step.run("two", () => {
        executed.push(`${id}:two`);
      });
      return `${id} finished`;
    },
  );
  await t.serve(client, [fn]);

  const startRun = async (id: string, sleep?: string) => {
    const [eventId] = await t.send({ name: start, data: { id, ...(sleep ? { sleep } : {}) } });
    return t.runOf(eventId!);
  };
  const reached = (step: string, id: string) =>
    waitFor(() => executed.includes(`${id}:${step}`), {
      message: `run ${id} executes step "${step}"`,
    });
  return { client, start, cancel, executed, failures, hold, startRun, reached };
}

describe("cancelOn", () => {
  it("a cancel event that does not match leaves the run alone", async () => {
    const app = await cancellableApp();
    const run = await app.startRun("a", "1s");
    await app.reached("one", "a");
    await t.send({ name: app.cancel, data: { id: "not-a" } });

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    expect(finished.output).toBe("a finished");
    expect(app.executed).toEqual(["a:one", "a:two"]);
  });

  it("a matching cancel event cancels the run while a step is in flight: later steps never run, no onFailure", async () => {
    const app = await cancellableApp();
    const { entered, release } = app.hold("b");
    const run = await app.startRun("b");
    await within(entered.promise, 10_000, 'step "one" starts');

    await t.send({ name: app.cancel, data: { id: "b" } });
    const cancelled = await t.waitForStatus(run.run_id, "Cancelled");
    expect(cancelled.ended_at).toBeTruthy();

    // The in-flight step now answers; the engine must ignore it and schedule nothing more.
    release.release();
    // Proving a negative: step "two" would follow within a few ms of the answer if scheduled.
    await delay(500);
    expect(app.executed).toEqual(["b:one"]);
    expect((await t.getRun(run.run_id))?.status).toBe("Cancelled");
    expect(app.failures).toEqual([]);
  });

  it("a matching cancel event cancels a sleeping run: it never wakes up", async () => {
    const app = await cancellableApp();
    const run = await app.startRun("c", "1s");
    await app.reached("one", "c");

    await t.send({ name: app.cancel, data: { id: "c" } });
    await t.waitForStatus(run.run_id, "Cancelled");
    // Proving a negative: wait past the end of the 1 s sleep; step "two" must not run.
    await delay(1_500);
    expect(app.executed).toEqual(["c:one"]);
    expect(app.failures).toEqual([]);
  });

  it("a cancel event sent before the run started does not cancel it", async () => {
    const app = await cancellableApp();
    await t.send({ name: app.cancel, data: { id: "d" } });
    const run = await app.startRun("d", "1s");

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    expect(finished.output).toBe("d finished");
    expect(app.executed).toEqual(["d:one", "d:two"]);
  });
});

describe("REST cancellation", () => {
  it("DELETE /v1/runs/:id cancels a running run", async () => {
    const app = await cancellableApp();
    const run = await app.startRun("e", "1s");
    await app.reached("one", "e");

    const response = await t.api<unknown>(`/v1/runs/${run.run_id}`, { method: "DELETE" });
    expect(response.httpStatus).toBe(200);
    const cancelled = await t.waitForStatus(run.run_id, "Cancelled");
    expect(cancelled.ended_at).toBeTruthy();
    // Proving a negative: wait past the end of the 1 s sleep; step "two" must not run.
    await delay(1_500);
    expect(app.executed).toEqual(["e:one"]);
    expect(app.failures).toEqual([]);
  });

  it("DELETE /v1/runs/:id cancels a run whose step is in flight; the step's answer is ignored", async () => {
    const app = await cancellableApp();
    const { entered, release } = app.hold("f");
    const run = await app.startRun("f");
    await within(entered.promise, 10_000, 'step "one" starts');

    const response = await t.api<unknown>(`/v1/runs/${run.run_id}`, { method: "DELETE" });
    expect(response.httpStatus).toBe(200);
    await t.waitForStatus(run.run_id, "Cancelled");
    release.release();
    // Proving a negative: step "two" would follow within a few ms of the answer if scheduled.
    await delay(500);
    expect(app.executed).toEqual(["f:one"]);
    expect((await t.getRun(run.run_id))?.status).toBe("Cancelled");
  });

  it("POST /v1/cancellations cancels the function's runs started inside the window, and only those", async () => {
    const client = t.client("bulk");
    const start = uniqueName("bulk/start");
    const executed: string[] = [];
    const fn = client.createFunction(
      { id: "bulk", triggers: [{ event: start }] },
      async ({ event, step }) => {
        const tag = event.data.tag as string;
        await step.run("one", () => {
          executed.push(`${tag}:one`);
        });
        await step.sleep("nap", "2s");
        await step.run("two", () => {
          executed.push(`${tag}:two`);
        });
        return tag;
      },
    );
    await t.serve(client, [fn]);
    const reached = (tag: string) =>
      waitFor(() => executed.includes(`${tag}:one`), { message: `run ${tag} starts` });

    const windowStart = new Date(Date.now() - 1);
    const [eventA] = await t.send({ name: start, data: { tag: "A" } });
    const [eventB] = await t.send({ name: start, data: { tag: "B" } });
    const runA = await t.runOf(eventA!);
    const runB = await t.runOf(eventB!);
    await reached("A");
    await reached("B");
    const windowEnd = new Date();
    // Not blind waiting: keeps run C's start time clearly after `started_before`.
    await delay(50);
    const [eventC] = await t.send({ name: start, data: { tag: "C" } });
    const runC = await t.runOf(eventC!);
    await reached("C");

    const response = await t.api<unknown>("/v1/cancellations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        app_id: client.id,
        function_id: "bulk",
        started_after: windowStart.toISOString(),
        started_before: windowEnd.toISOString(),
      }),
    });
    expect(response.httpStatus, JSON.stringify(response.body)).toBeGreaterThanOrEqual(200);
    expect(response.httpStatus, JSON.stringify(response.body)).toBeLessThan(300);

    await t.waitForStatus(runA.run_id, "Cancelled");
    await t.waitForStatus(runB.run_id, "Cancelled");
    // C started after the window and completes (its 2 s sleep ends after A's and B's would have).
    const finishedC = await t.waitForStatus(runC.run_id, "Completed", 15_000);
    expect(finishedC.output).toBe("C");
    expect(executed.filter((entry) => entry.endsWith(":two"))).toEqual(["C:two"]);
  });
});
