/**
 * Conformance: step.waitForEvent — match, `if`, non-match, timeout, and events received
 * before the wait was registered (spec §4.2, §4.9, §11.12).
 */
import { describe, expect, it } from "vitest";
import {
  delay,
  gate,
  uniqueName,
  setupEngine,
  waitFor,
  within,
  type EngineHarness,
  type EventInput,
} from "./harness";

const t = setupEngine();

/** Sends `event` a few times over ~`forMs` (to straddle the moment the wait gets registered). */
async function sendRepeatedly(
  harness: EngineHarness,
  event: () => EventInput,
  forMs = 500,
  everyMs = 100,
) {
  const end = Date.now() + forMs;
  while (Date.now() < end) {
    await harness.send(event());
    await delay(everyMs);
  }
}

describe("step.waitForEvent", () => {
  it('`match: "data.id"` resolves with the matching event; an event with another id does not resolve it', async () => {
    const client = t.client("wait-match");
    const start = uniqueName("wait/start");
    const resume = uniqueName("wait/resume");
    const reached = new Set<string>();
    const fn = client.createFunction(
      { id: "wait-match", triggers: [{ event: start }] },
      async ({ event, step }) => {
        reached.add(event.data.id as string);
        const got = await step.waitForEvent("wait", {
          event: resume,
          match: "data.id",
          timeout: "20s",
        });
        return got
          ? {
              name: got.name,
              id: got.data.id as string,
              tag: got.data.tag as string,
              hasTs: typeof got.ts === "number",
            }
          : null;
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: start, data: { id: "mine" } });
    const run = await t.runOf(eventId!);
    await waitFor(() => reached.has("mine"), { message: "the function reaches step.waitForEvent" });

    await sendRepeatedly(t, () => ({ name: resume, data: { id: "someone-else", tag: "wrong" } }));
    expect((await t.getRun(run.run_id))?.status).toBe("Running");

    const finished = await t.sendUntilFinished(run.run_id, () => ({
      name: resume,
      data: { id: "mine", tag: "right" },
    }));
    expect(finished.status).toBe("Completed");
    expect(finished.output).toEqual({ name: resume, id: "mine", tag: "right", hasTs: true });
  });

  it("an `if` expression over `event` and `async` decides which event resolves the wait", async () => {
    const client = t.client("wait-if");
    const start = uniqueName("wait-if/start");
    const resume = uniqueName("wait-if/resume");
    const reached = new Set<string>();
    const fn = client.createFunction(
      { id: "wait-if", triggers: [{ event: start }] },
      async ({ event, step }) => {
        reached.add(event.data.order as string);
        const got = await step.waitForEvent("paid", {
          event: resume,
          if: "async.data.order == event.data.order && async.data.amount > 10",
          timeout: "20s",
        });
        return got ? got.data : null;
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: start, data: { order: "o-1" } });
    const run = await t.runOf(eventId!);
    await waitFor(() => reached.has("o-1"), { message: "the function reaches step.waitForEvent" });

    await sendRepeatedly(t, () => ({ name: resume, data: { order: "o-1", amount: 5 } }));
    await sendRepeatedly(t, () => ({ name: resume, data: { order: "o-2", amount: 50 } }), 200);
    expect((await t.getRun(run.run_id))?.status).toBe("Running");

    const finished = await t.sendUntilFinished(run.run_id, () => ({
      name: resume,
      data: { order: "o-1", amount: 20 },
    }));
    expect(finished.status).toBe("Completed");
    expect(finished.output).toEqual({ order: "o-1", amount: 20 });
  });

  it("times out: returns null after the timeout and the run completes", async () => {
    const client = t.client("wait-timeout");
    const start = uniqueName("wait-timeout/start");
    const fn = client.createFunction(
      { id: "wait-timeout", triggers: [{ event: start }] },
      async ({ step }) => {
        const before = await step.run("before", () => Date.now());
        const got = await step.waitForEvent("never", {
          event: uniqueName("wait-timeout/never"),
          timeout: "1s",
        });
        const after = await step.run("after", () => Date.now());
        return { got, waitedMs: after - before };
      },
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name: start });
    const run = await t.finishedRunOf(eventId!, "Completed", 15_000);
    const output = run.output as { got: unknown; waitedMs: number };
    expect(output.got).toBeNull();
    expect(output.waitedMs).toBeGreaterThanOrEqual(1_000 - 20);
  });

  it("an event received before the wait was registered does not resolve it", async () => {
    const client = t.client("wait-early");
    const start = uniqueName("wait-early/start");
    const resume = uniqueName("wait-early/resume");
    const entered = new Map<string, () => void>();
    const holds = new Map<string, ReturnType<typeof gate>>();
    const fn = client.createFunction(
      { id: "wait-early", triggers: [{ event: start }] },
      async ({ event, step }) => {
        const id = event.data.id as string;
        await step.run("hold", async () => {
          entered.get(id)?.();
          await holds.get(id)?.promise;
        });
        const got = await step.waitForEvent("wait", {
          event: resume,
          match: "data.id",
          timeout: "1s",
        });
        return got ? got.data : null;
      },
    );
    await t.serve(client, [fn]);

    const hold = gate();
    const inHold = gate();
    holds.set("early", hold);
    entered.set("early", inHold.release);

    // 1) Sent before the run even started.
    await t.send({ name: resume, data: { id: "early", when: "before-run" } });
    const [eventId] = await t.send({ name: start, data: { id: "early" } });
    const run = await t.runOf(eventId!);
    // 2) Sent while the run is executing the step before the wait.
    await within(inHold.promise, 10_000, "the step before the wait starts");
    await t.send({ name: resume, data: { id: "early", when: "during-step" } });
    hold.release();

    const finished = await t.waitForStatus(run.run_id, "Completed", 15_000);
    expect(finished.output).toBeNull();
  });
});
