/**
 * No lost work at the crash points of issue 19 (the engine study's D1–D4). Each test starts
 * the engine with a fault hook that crashes it (as SIGKILL: nothing more is written) right
 * after one write commits, restarts it on the same database, and shows the work done
 * exactly once. Before the fix each point sat between two statements, and the second one's
 * work (a run, a `function.failed`, an invoked child, a cron tick's run) was lost.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import type { EngineFaultPoint } from "@/inngest/engine";
import { delay, setupEngine, uniqueName, waitFor } from "./harness";

const t = setupEngine();

const db = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await db.end({ timeout: 5 });
});

/** Restarts the engine so that it crashes the first time it reaches `point`. */
async function restartCrashingAt(point: EngineFaultPoint): Promise<{ crashed: () => boolean }> {
  let crashed = false;
  await t.crash();
  await t.start({
    faults: {
      [point]: () => {
        if (crashed) return;
        crashed = true;
        void t.crash();
        throw new Error(`injected crash at ${point}`);
      },
    },
  });
  return { crashed: () => crashed };
}

async function restartAfterCrash(fault: { crashed: () => boolean }, point: string) {
  await waitFor(fault.crashed, { message: `the engine reaches ${point}` });
  // Lets the crash finish (server and pool closed) before the same port is taken again.
  await waitFor(
    async () => {
      try {
        await t.start();
        return true;
      } catch {
        return false;
      }
    },
    { message: "the engine restarts" },
  );
}

describe("crash points (D1–D4)", () => {
  it("D1: a crash right after a send is stored — the SDK's retry (same seed) starts no second run, and the one run finishes once", async () => {
    const client = t.client("d1");
    const eventName = uniqueName("d1/go");
    let executions = 0;
    const fn = client.createFunction(
      { id: "d1", triggers: [{ event: eventName }] },
      async ({ step }) => step.run("work", () => ++executions),
    );
    await t.serve(client, [fn]);

    const fault = await restartCrashingAt("ingest.stored");
    const seed = `${Date.now()},${randomBytes(10).toString("base64")}`;
    const first = await t
      .sendRaw({ name: eventName }, { "x-inngest-event-id-seed": seed })
      .catch((error: unknown) => error);
    expect(first).not.toMatchObject({ httpStatus: 200 });
    await restartAfterCrash(fault, "ingest.stored");

    // The SDK retries a failed send with the same seed, so the same event ids.
    const [eventId] = await t
      .sendRaw({ name: eventName }, { "x-inngest-event-id-seed": seed })
      .then((response) => {
        expect(response.httpStatus).toBe(200);
        return (response.body as { ids: string[] }).ids;
      });
    const run = await t.finishedRunOf(eventId!, "Completed", 15_000);
    expect(run.output).toBe(1);
    await delay(500); // a second run of the resend would have started by now
    expect(await t.runsForEvent(eventId!)).toHaveLength(1);
    expect(executions).toBe(1);
  });

  it("D2: a crash right after a run fails — its function.failed is not lost: onFailure runs, once", async () => {
    const client = t.client("d2");
    const eventName = uniqueName("d2/go");
    const failures: string[] = [];
    const fn = client.createFunction(
      {
        id: "d2",
        retries: 0,
        triggers: [{ event: eventName }],
        onFailure: ({ error }) => {
          failures.push(error.message);
        },
      },
      async ({ step }) => {
        await step.run("explode", () => {
          throw new Error("d2-kaboom");
        });
      },
    );
    await t.serve(client, [fn]);

    const fault = await restartCrashingAt("finalize.stored");
    const [eventId] = await t.send({ name: eventName });
    await restartAfterCrash(fault, "finalize.stored");

    const run = await t.finishedRunOf(eventId!, "Failed", 15_000);
    expect(JSON.stringify(run.output)).toContain("d2-kaboom");
    await waitFor(() => failures.length > 0, {
      timeoutMs: 15_000,
      message: "the onFailure handler runs after the restart",
    });
    await delay(500); // a second onFailure run would have started by now
    expect(failures).toEqual([expect.stringContaining("d2-kaboom")]);
  });

  it("D3: a crash right after a step.invoke is stored — the child exists, runs once, and resumes the parent with its result", async () => {
    const client = t.client("d3");
    const childEvent = uniqueName("d3/child");
    const parentEvent = uniqueName("d3/parent");
    let childRuns = 0;
    const child = client.createFunction(
      // Retries left: the child's first call was stored leased, so the crash counts an attempt.
      { id: "child", retries: 1, triggers: [{ event: childEvent }] },
      async ({ event }) => {
        childRuns++;
        return { doubled: (event.data.value as number) * 2 };
      },
    );
    const parent = client.createFunction(
      { id: "parent", triggers: [{ event: parentEvent }] },
      async ({ event, step }) =>
        step.invoke("call-child", { function: child, data: { value: event.data.value as number } }),
    );
    await t.serve(client, [child, parent]);

    const fault = await restartCrashingAt("invoke.persisted");
    const [eventId] = await t.send({ name: parentEvent, data: { value: 21 } });
    await restartAfterCrash(fault, "invoke.persisted");

    const run = await t.finishedRunOf(eventId!, "Completed", 15_000);
    expect(run.output).toEqual({ doubled: 42 });
    expect(childRuns).toBe(1);
  });

  it("D4: a crash right after a cron tick is advanced — the tick's run exists and runs once", async () => {
    const client = t.client("d4");
    const ticks: string[] = [];
    // Once a year: the test moves the tick to now instead of waiting for it.
    const fn = client.createFunction(
      { id: "d4", triggers: [{ cron: "0 0 1 1 *" }] },
      async ({ event }) => {
        ticks.push(String(event.id));
      },
    );
    await t.serve(client, [fn]);

    await t.crash();
    const [due] = await db<{ next_tick: Date }[]>`
      update inngest_engine.crons set next_tick = date_trunc('second', now()) + interval '1 second'
      where function_slug = ${`${client.id}-d4`} returning next_tick`;
    expect(due).toBeDefined();
    const fault = await restartCrashingAt("cron.advanced");
    await restartAfterCrash(fault, "cron.advanced");

    await waitFor(() => ticks.length > 0, {
      timeoutMs: 15_000,
      message: "the tick's run executes after the restart",
    });
    await delay(500); // a second run of the tick would have started by now
    expect(ticks).toEqual([due?.next_tick.toISOString().replace(/\.\d{3}Z$/, "Z")]);
  });
});
