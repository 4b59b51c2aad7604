/**
 * Conformance: durability across engine restarts — sleeping, waiting and in-flight work
 * survives a crash (simulated SIGKILL) or a graceful stop (contract: `crash()`, `close()`,
 * `startEngine` again on the same database resumes the work).
 *
 * The engine is restarted on the same port, so the SDK clients (whose baseUrl is the engine)
 * keep working.
 */
import { describe, expect, it } from "vitest";
import { checkpointing, delay, gate, uniqueName, setupEngine, waitFor, within } from "./harness";

const t = setupEngine();

describe("engine restarts", () => {
  it("crash during a sleep: a new engine finishes the run; steps before the sleep do not re-execute", async () => {
    const client = t.client("crash-sleep");
    const eventName = uniqueName("crash-sleep/go");
    const executions = { before: 0, after: 0 };
    let reachedSleep = false;
    const fn = client.createFunction(
      { id: "crash-sleep", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const before = await step.run("before", () => {
          executions.before++;
          return Date.now();
        });
        reachedSleep = true;
        await step.sleep("nap", "2s");
        const after = await step.run("after", () => {
          executions.after++;
          return Date.now();
        });
        return { before, after };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await waitFor(() => reachedSleep, { message: "the function reaches step.sleep" });
    // Not a blind wait for the outcome: lets the engine store the Sleep op, so the crash hits a
    // sleeping run (were it earlier, the test would still be valid, just less pointed).
    await delay(300);
    await t.crash();
    await t.start();

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    const { before, after } = finished.output as { before: number; after: number };
    expect(after - before).toBeGreaterThanOrEqual(2_000 - 20);
    expect(executions).toEqual({ before: 1, after: 1 });
  });

  it("crash during a sleep that ends while the engine is down: the restarted engine wakes the run", async () => {
    const client = t.client("crash-overdue");
    const eventName = uniqueName("crash-overdue/go");
    const executions = { before: 0, after: 0 };
    let reachedSleep = false;
    const fn = client.createFunction(
      { id: "crash-overdue", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("before", () => ++executions.before);
        reachedSleep = true;
        await step.sleep("nap", "1s");
        await step.run("after", () => ++executions.after);
        return "awake";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await waitFor(() => reachedSleep, { message: "the function reaches step.sleep" });
    await delay(300); // lets the engine store the Sleep op (see above)
    await t.crash();
    // The engine must be down when the 1 s sleep ends.
    await delay(1_500);
    await t.start();

    const finished = await t.waitForStatus(run.run_id, "Completed", 10_000);
    expect(finished.output).toBe("awake");
    expect(executions).toEqual({ before: 1, after: 1 });
  });

  it("crash during waitForEvent: the restarted engine still resolves the wait with a matching event", async () => {
    const client = t.client("crash-wait");
    const start = uniqueName("crash-wait/start");
    const resume = uniqueName("crash-wait/resume");
    let reachedWait = false;
    let beforeCalls = 0;
    const fn = client.createFunction(
      { id: "crash-wait", triggers: [{ event: start }] },
      async ({ step }) => {
        await step.run("before", () => ++beforeCalls);
        reachedWait = true;
        const got = await step.waitForEvent("resume", {
          event: resume,
          match: "data.id",
          timeout: "30s",
        });
        return got ? got.data : null;
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: start, data: { id: "w1" } });
    const run = await t.runOf(eventId!);
    await waitFor(() => reachedWait, { message: "the function reaches step.waitForEvent" });
    await delay(300); // lets the engine store the wait before the crash
    await t.crash();
    await t.start();

    const finished = await t.sendUntilFinished(run.run_id, () => ({
      name: resume,
      data: { id: "w1", ok: true },
    }));
    expect(finished.status).toBe("Completed");
    expect(finished.output).toEqual({ id: "w1", ok: true });
    expect(beforeCalls).toBe(1);
  });

  // With checkpointing the interrupted request's result reaches the restarted engine and is kept
  // instead (checkpoint.test.ts); this is the one-step-per-request outcome.
  it.runIf(!checkpointing()).each([
    { retries: 1 as const, label: "1", outcome: "Completed" as const, attempts: [0, 1] },
    { retries: 0 as const, label: "0", outcome: "Failed" as const, attempts: [0] },
  ])(
    "crash with a step in flight, retries: $label → the interrupted request is a failed attempt, run $outcome",
    async ({ retries, outcome, attempts: expected }) => {
      const client = t.client(`crash-inflight-${retries}`);
      const eventName = uniqueName("crash-inflight/go");
      const attempts: number[] = [];
      const entered = gate();
      const hold = gate();
      const fn = client.createFunction(
        { id: "inflight", retries, triggers: [{ event: eventName }] },
        async ({ step, attempt }) => {
          const result = await step.run("block", async () => {
            attempts.push(attempt);
            if (attempt === 0) {
              entered.release();
              await hold.promise;
            }
            return `finished on attempt ${attempt}`;
          });
          return result;
        },
      );
      await t.serve(client, [fn]);

      const [eventId] = await t.send({ name: eventName });
      const run = await t.runOf(eventId!);
      await within(entered.promise, 10_000, "the step starts");
      await t.crash();
      // The abandoned request now answers; the crashed engine must ignore it (and write nothing).
      hold.release();
      // Proving a negative: gives a wrongly still-active crashed engine time to record the answer.
      await delay(300);
      await t.start();

      const finished = await t.waitForStatus(run.run_id, outcome, 15_000);
      if (outcome === "Completed") expect(finished.output).toBe("finished on attempt 1");
      // Proving a negative: no further attempt after the run ended.
      await delay(300);
      expect(attempts).toEqual(expected);
    },
  );

  it("graceful close waits for the in-flight step; the restarted engine continues without re-running it", async () => {
    const client = t.client("graceful");
    const eventName = uniqueName("graceful/go");
    const executions = { slow: 0, after: 0 };
    const entered = gate();
    const fn = client.createFunction(
      { id: "graceful", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        const slow = await step.run("slow", async () => {
          executions.slow++;
          entered.release();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return "slow done";
        });
        const after = await step.run("after", () => {
          executions.after++;
          return `${slow}, then after`;
        });
        return after;
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.runOf(eventId!);
    await within(entered.promise, 10_000, "the slow step starts");
    await t.close();
    await t.start();

    const finished = await t.waitForStatus(run.run_id, "Completed", 10_000);
    expect(finished.output).toBe("slow done, then after");
    expect(executions).toEqual({ slow: 1, after: 1 });
  });
});
