/**
 * Conformance: durability across engine restarts — sleeping, waiting and in-flight work
 * survives a crash (simulated SIGKILL) or a graceful stop (contract: `crash()`, `close()`,
 * `startEngine` again on the same database resumes the work).
 *
 * The engine is restarted on the same port, so the SDK clients (whose baseUrl is the engine)
 * keep working.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointing, delay, gate, uniqueName, setupEngine, waitFor, within } from "./harness";

const t = setupEngine();

const databaseUrl = process.env.DATABASE_URL ?? "";
const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

describe("engine restarts", () => {
  it("graceful stop with a burst queued beyond the free request slots: no run fails, each step runs once", async () => {
    const client = t.client("burst-close");
    const eventName = uniqueName("burst-close/go");
    const executions = new Map<string, number>();
    const fn = client.createFunction(
      { id: "burst-close", retries: 0, triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        const key = String(event.data.n);
        await step.run("work", () => executions.set(key, (executions.get(key) ?? 0) + 1));
        return "done";
      },
    );
    // Two request slots for a burst of 40: one ingest must not write 40 rows leased, and the
    // rows it did lease but never sent must not count as interrupted attempts after the stop.
    await t.close();
    await t.start({ maxConcurrentRequests: 2 });
    await t.serve(client, [fn]);
    const eventIds = await t.send(
      Array.from({ length: 40 }, (_, n) => ({ name: eventName, data: { n } })),
    );
    await t.close();
    await t.start();

    for (const eventId of eventIds) await t.finishedRunOf(eventId, "Completed", 30_000);
    expect(executions.size).toBe(40);
    expect([...executions.values()].every((count) => count === 1)).toBe(true);
  });

  it("one send, and sends at once, write no more rows leased than there are free request slots", async () => {
    const client = t.client("lease-budget");
    const eventName = uniqueName("lease-budget/go");
    const hold = gate();
    let started = 0;
    const fn = client.createFunction(
      { id: "lease-budget", retries: 1, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("work", async () => {
          started++;
          await hold.promise;
        });
        return "done";
      },
    );
    await t.close();
    await t.start({ maxConcurrentRequests: 2 });
    await t.serve(client, [fn]);
    const burst = (from: number) =>
      Array.from({ length: 20 }, (_, n) => ({ name: eventName, data: { n: from + n } }));
    const eventIds = (await Promise.all([t.send(burst(0)), t.send(burst(20))])).flat();
    await waitFor(() => started >= 2, { message: "two requests are in flight" });
    const runIds = await Promise.all(eventIds.map(async (id) => (await t.runOf(id)).run_id));
    // A leased row is a request sent (or the instant before): a crash counts it as an attempt.
    const [row] = await sql<{ leased: number }[]>`
      select count(*)::int as leased from inngest_engine.queue
      where run_id = any(${runIds}::text[]) and leased_at is not null`;
    expect(row?.leased).toBeLessThanOrEqual(2);

    hold.release();
    for (const eventId of eventIds) await t.finishedRunOf(eventId, "Completed", 30_000);
    await t.close();
    await t.start();
  });

  it("graceful stop while a send's statement is in flight: the rows it wrote leased are released, not failed after the restart", async () => {
    const client = t.client("close-unlease");
    const eventName = uniqueName("close-unlease/go");
    const fn = client.createFunction(
      { id: "close-unlease", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("work", () => "done");
        return "done";
      },
    );
    await t.close();
    await t.start({ maxConcurrentRequests: 2 });
    await t.serve(client, [fn]);
    const locker = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    let sending: Promise<string[]> | undefined;
    let closing: Promise<void> | undefined;
    try {
      // The send's statement (its first rows written leased) waits on this lock while the engine stops.
      await locker.begin(async (tx) => {
        await tx`lock table inngest_engine.queue in exclusive mode`;
        sending = t.send(Array.from({ length: 10 }, (_, n) => ({ name: eventName, data: { n } })));
        await waitFor(
          async () => {
            const [waiting] = await tx<{ n: number }[]>`
              select count(*)::int as n from pg_locks
              where not granted and relation = 'inngest_engine.queue'::regclass`;
            return (waiting?.n ?? 0) > 0;
          },
          { message: "the send's statement waits for the lock" },
        );
        closing = t.close();
        // Not a wait for the outcome: lets close() begin before the statement commits (were it
        // later, the test would still be valid, just less pointed).
        await delay(300);
      });
    } finally {
      await locker.end({ timeout: 5 });
    }
    const eventIds = (await sending) ?? [];
    await closing;
    await t.start();

    expect(eventIds).toHaveLength(10);
    for (const eventId of eventIds) await t.finishedRunOf(eventId, "Completed", 30_000);
  });

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
