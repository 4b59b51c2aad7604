/**
 * Conformance: retries and failure — attempt counting, retries: 0 + onFailure,
 * NonRetriableError, RetryAfterError, caught step errors, exhausted retries (spec §4.3, §5).
 */
import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it } from "vitest";
import { delay, uniqueName, setupEngine, waitFor } from "./harness";

const t = setupEngine();

/** The `message` of a failed run's output (the stored error body, spec §5 "Finalize Failed"). */
function errorMessage(output: unknown): string {
  if (output && typeof output === "object" && "message" in output)
    return String((output as { message: unknown }).message);
  return JSON.stringify(output);
}

describe("retries", () => {
  it("retries: 2 — a step that throws twice then succeeds is attempted with attempt 0, 1, 2", async () => {
    const client = t.client("retry-step");
    const eventName = uniqueName("retry/step");
    const attempts: number[] = [];
    const fn = client.createFunction(
      { id: "flaky", retries: 2, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        const value = await step.run("flaky", () => {
          attempts.push(attempt);
          if (attempts.length < 3) throw new Error(`transient ${attempts.length}`);
          return "third time lucky";
        });
        return value;
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe("third time lucky");
    expect(attempts).toEqual([0, 1, 2]);
  });

  it("retries: 2 — a function-level error (thrown outside steps) is retried with attempt 0, 1, 2", async () => {
    const client = t.client("retry-fn");
    const eventName = uniqueName("retry/fn");
    const attempts: number[] = [];
    const fn = client.createFunction(
      { id: "flaky-body", retries: 2, triggers: [{ event: eventName }] },
      async ({ attempt }) => {
        attempts.push(attempt);
        if (attempts.length < 3) throw new Error("function-level transient");
        return "ok";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe("ok");
    expect(attempts).toEqual([0, 1, 2]);
  });

  it("attempts are counted per step: each step gets the full retry budget, starting at attempt 0", async () => {
    const client = t.client("retry-per-step");
    const eventName = uniqueName("retry/per-step");
    const attempts: Record<string, number[]> = { first: [], second: [] };
    const fn = client.createFunction(
      { id: "per-step", retries: 1, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        for (const id of ["first", "second"] as const) {
          await step.run(id, () => {
            attempts[id]!.push(attempt);
            if (attempts[id]!.length < 2) throw new Error(`${id} fails once`);
            return id;
          });
        }
        return "both";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe("both");
    expect(attempts).toEqual({ first: [0, 1], second: [0, 1] });
  });

  it("exhausted retries: retries: 1 and a step that always throws → two attempts, run Failed", async () => {
    const client = t.client("retry-exhausted");
    const eventName = uniqueName("retry/exhausted");
    const attempts: number[] = [];
    const fn = client.createFunction(
      { id: "doomed", retries: 1, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        await step.run("doomed", () => {
          attempts.push(attempt);
          throw new Error("always broken");
        });
        return "unreachable";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Failed");
    expect(errorMessage(run.output)).toContain("always broken");
    expect(run.ended_at).toBeTruthy();
    expect(attempts).toEqual([0, 1]);
  });

  it("no `retries` configured → the server default of 4 retries (5 attempts)", async () => {
    const client = t.client("retry-default");
    const eventName = uniqueName("retry/default");
    const attempts: number[] = [];
    const fn = client.createFunction(
      { id: "default", triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        await step.run("doomed", () => {
          attempts.push(attempt);
          throw new Error("still broken");
        });
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Failed");
    expect(attempts).toEqual([0, 1, 2, 3, 4]);
  });

  it("retries: 0 with onFailure — one attempt; the handler runs once with the error and the original event", async () => {
    const client = t.client("on-failure");
    const eventName = uniqueName("failure/go");
    let attempts = 0;
    const failures: {
      name: string;
      functionId: unknown;
      runId: unknown;
      message: string;
      original: unknown;
    }[] = [];
    const fn = client.createFunction(
      {
        id: "fragile",
        retries: 0,
        triggers: [{ event: eventName }],
        onFailure: async ({ event, error }) => {
          failures.push({
            name: event.name,
            functionId: event.data.function_id,
            runId: event.data.run_id,
            message: error.message,
            original: { name: event.data.event.name, data: event.data.event.data },
          });
        },
      },
      async ({ step }) => {
        await step.run("explode", () => {
          attempts++;
          throw new Error("kaboom-42");
        });
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName, data: { order: 7 } });
    const run = await t.finishedRunOf(eventId!, "Failed");
    expect(attempts).toBe(1);
    expect(errorMessage(run.output)).toContain("kaboom-42");

    await waitFor(() => failures.length > 0, { message: "the onFailure handler runs" });
    // Proving a negative: a duplicate handler run (or a retry of the function) would show up by now.
    await delay(400);
    expect(failures).toHaveLength(1);
    expect(attempts).toBe(1);
    expect(failures[0]).toEqual({
      name: "inngest/function.failed",
      functionId: `${client.id}-fragile`,
      runId: run.run_id,
      message: "kaboom-42",
      original: { name: eventName, data: { order: 7 } },
    });
  });

  it("NonRetriableError thrown in a step: exactly one attempt, run Failed", async () => {
    const client = t.client("non-retriable-step");
    const eventName = uniqueName("nonretriable/step");
    let attempts = 0;
    const fn = client.createFunction(
      { id: "nr-step", retries: 3, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("refuse", () => {
          attempts++;
          throw new NonRetriableError("do not retry me (step)");
        });
        return "unreachable";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Failed");
    expect(errorMessage(run.output)).toContain("do not retry me (step)");
    // Proving a negative: with a 50 ms retry interval, a wrong retry would have happened by now.
    await delay(400);
    expect(attempts).toBe(1);
  });

  it("NonRetriableError thrown by the function body: exactly one attempt, run Failed", async () => {
    const client = t.client("non-retriable-fn");
    const eventName = uniqueName("nonretriable/fn");
    let attempts = 0;
    const fn = client.createFunction(
      { id: "nr-fn", retries: 3, triggers: [{ event: eventName }] },
      async () => {
        attempts++;
        throw new NonRetriableError("do not retry me (function)");
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Failed");
    expect(errorMessage(run.output)).toContain("do not retry me (function)");
    // Proving a negative: with a 50 ms retry interval, a wrong retry would have happened by now.
    await delay(400);
    expect(attempts).toBe(1);
  });

  it("RetryAfterError in a step (1 s): the retry waits at least that long", async () => {
    const client = t.client("retry-after-step");
    const eventName = uniqueName("retryafter/step");
    const times: number[] = [];
    const fn = client.createFunction(
      { id: "ra-step", retries: 2, triggers: [{ event: eventName }] },
      async ({ step }) => {
        return step.run("later", () => {
          times.push(Date.now());
          if (times.length === 1) throw new RetryAfterError("come back in a second", 1_000);
          return "done";
        });
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe("done");
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000 - 20);
  });

  it("RetryAfterError with a date from the function body: the retry happens no earlier than that date", async () => {
    const client = t.client("retry-after-fn");
    const eventName = uniqueName("retryafter/fn");
    const times: number[] = [];
    let retryAt = 0;
    const fn = client.createFunction(
      { id: "ra-fn", retries: 2, triggers: [{ event: eventName }] },
      async () => {
        times.push(Date.now());
        if (times.length === 1) {
          retryAt = Date.now() + 1_500;
          throw new RetryAfterError("come back later", new Date(retryAt));
        }
        return "done";
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe("done");
    expect(times).toHaveLength(2);
    expect(times[1]!).toBeGreaterThanOrEqual(retryAt - 20);
  });

  it("a step that fails permanently can be caught in user code, and the function completes", async () => {
    const client = t.client("caught");
    const eventName = uniqueName("caught/go");
    const attempts: number[] = [];
    let after = 0;
    const fn = client.createFunction(
      { id: "caught", retries: 1, triggers: [{ event: eventName }] },
      async ({ step, attempt }) => {
        let caught: string | null = null;
        try {
          await step.run("fails", () => {
            attempts.push(attempt);
            throw new Error("permanent trouble");
          });
        } catch (error) {
          caught = error instanceof Error ? error.message : String(error);
        }
        const next = await step.run("after", () => ++after);
        return { caught, next };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toEqual({ caught: "permanent trouble", next: 1 });
    expect(attempts).toEqual([0, 1]);
    expect(after).toBe(1);
  });

  it("NonRetriableError in a step, caught in user code: one attempt, the function completes", async () => {
    const client = t.client("caught-nr");
    const eventName = uniqueName("caught-nr/go");
    let attempts = 0;
    const fn = client.createFunction(
      { id: "caught-nr", retries: 3, triggers: [{ event: eventName }] },
      async ({ step }) => {
        try {
          await step.run("refuse", () => {
            attempts++;
            throw new NonRetriableError("no way");
          });
          return "unreachable";
        } catch (error) {
          return { recovered: error instanceof Error ? error.message : String(error) };
        }
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toEqual({ recovered: "no way" });
    expect(attempts).toBe(1);
  });
});
