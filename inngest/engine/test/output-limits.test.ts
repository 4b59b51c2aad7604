/**
 * Conformance: step output limits as Inngest's (issue 19, item 5), set small here (1,000 bytes
 * a step, 3,000 a run; the defaults are 4 MiB and 32 MiB). A `step.run` output over the step
 * limit fails the step with "step output size is greater than the limit"; outputs together over
 * the run limit fail the run with InngestErrStateOverflowed. In checkpoint mode the checkpoint
 * is refused with 413 (as Go's), the SDK answers with the steps instead, and the same happens.
 */
import { describe, expect, it } from "vitest";
import { checkpointing, setupEngine, uniqueName } from "./harness";

const t = setupEngine({ outputLimits: { stepBytes: 1_000, runBytes: 3_000 } });

describe("step output limits", () => {
  it("a step output over the step limit fails the step with a clear error, and the run with it", async () => {
    const client = t.client("output-step");
    const eventName = uniqueName("output-step/go");
    let after = 0;
    const fn = client.createFunction(
      { id: "big-step", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("small", () => "ok");
        await step.run("big", () => "x".repeat(2_000));
        await step.run("after", () => {
          after++;
        });
        return "done";
      },
    );
    await t.serve(client, [fn]);

    const [id] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(id!, "Failed", 15_000);
    expect(JSON.stringify(run.output)).toContain("step output size is greater than the limit");
    expect(after).toBe(0);
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: "step.output_too_large", run_id: run.run_id, limit: 1_000 }),
    );
    if (checkpointing())
      expect(t.logs).toContainEqual(
        expect.objectContaining({ msg: "checkpoint.output_too_large", run_id: run.run_id }),
      );
  });

  it("the step's error can be caught like any step failure: the run goes on", async () => {
    const client = t.client("output-caught");
    const eventName = uniqueName("output-caught/go");
    const fn = client.createFunction(
      { id: "caught", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        try {
          await step.run("big", () => "x".repeat(2_000));
          return "stored";
        } catch (error) {
          return `caught: ${(error as Error).message}`;
        }
      },
    );
    await t.serve(client, [fn]);

    const [id] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(id!, "Completed", 15_000);
    expect(run.output).toEqual(
      expect.stringContaining("caught: step output size is greater than the limit"),
    );
  });

  it("outputs together over the run limit fail the run with InngestErrStateOverflowed; under it, a run completes", async () => {
    const client = t.client("output-run");
    const eventName = uniqueName("output-run/go");
    const ran: number[] = [];
    const fn = client.createFunction(
      { id: "many-steps", retries: 0, triggers: [{ event: eventName }] },
      async ({ event, step }) => {
        for (let n = 1; n <= (event.data.steps as number); n++) {
          await step.run(`part-${n}`, () => {
            ran.push(n);
            return "y".repeat(900);
          });
        }
        return "done";
      },
    );
    await t.serve(client, [fn]);

    const [fits] = await t.send({ name: eventName, data: { steps: 3 } });
    expect((await t.finishedRunOf(fits!, "Completed", 15_000)).output).toBe("done");

    ran.length = 0;
    const [overflows] = await t.send({ name: eventName, data: { steps: 6 } });
    const run = await t.finishedRunOf(overflows!, "Failed", 15_000);
    expect(run.output).toMatchObject({
      name: "InngestErrStateOverflowed",
      message: expect.stringContaining("state is too large") as unknown,
    });
    // The fourth output (4 × 902 bytes > 3,000) overflowed: nothing after it ran.
    expect(ran).toEqual([1, 2, 3, 4]);
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: "run.state_overflowed", run_id: run.run_id, limit: 3_000 }),
    );
  });
});
