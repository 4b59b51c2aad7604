/**
 * Conformance: a finalize that committed although its caller saw an error (the connection
 * dropped before the answer; group commit then rejects every member of the batch) must not
 * leave the run held as running in memory — its singleton lock, deadlines, throttle entry and
 * output tally are released as a finalize that was answered releases them.
 */
import { describe, expect, it } from "vitest";
import { setupEngine, uniqueName, waitFor } from "./harness";

/** Set by a test: called after a finalize statement committed; throwing loses the answer. */
let onFinalizeCommitted: ((runIds: string[]) => void) | undefined;
const t = setupEngine({
  faults: { finalizeCommitted: (runIds) => onFinalizeCommitted?.(runIds) },
});

describe("a finalize whose answer was lost", () => {
  it("frees the run's singleton lock once the database says the run ended: the next run starts", async () => {
    const client = t.client("lost-finalize");
    const eventName = uniqueName("lost-finalize/go");
    const fn = client.createFunction(
      { id: "single", singleton: { mode: "skip" }, retries: 0, triggers: [{ event: eventName }] },
      async ({ event }) => event.data.n as number,
    );
    await t.serve(client, [fn]);

    let lost = 0;
    onFinalizeCommitted = () => {
      if (lost++ === 0) throw new Error("connection ended after the commit (fault)");
    };
    try {
      const [first] = await t.send({ name: eventName, data: { n: 1 } });
      const run = await t.finishedRunOf(first!, "Completed");
      await waitFor(
        () => t.logs.some((line) => line.msg === "queue.item_failed" && line.run_id === run.run_id),
        { message: "the first run's finalize committed but its caller saw the error" },
      );
    } finally {
      onFinalizeCommitted = undefined;
    }

    const [second] = await t.send({ name: eventName, data: { n: 2 } });
    expect((await t.finishedRunOf(second!, "Completed", 10_000)).output).toBe(2);
  });
});
