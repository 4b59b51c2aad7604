/**
 * Conformance: a persist that committed although its caller saw an error (the connection
 * dropped before the answer) for a run the engine still holds in memory. The rows it inserted
 * (the run's next call, a sleep) are scheduled without a restart, each once: the run finishes
 * and no step runs twice.
 */
import { describe, expect, it } from "vitest";
import { setupEngine, uniqueName } from "./harness";

/** Set by a test: called after a persist statement committed; throwing loses the answer. */
let onPersistCommitted: ((runIds: string[]) => void) | undefined;
const t = setupEngine({
  faults: { persistCommitted: (runIds) => onPersistCommitted?.(runIds) },
});

describe("a persist whose answer was lost, of a run held in memory", () => {
  it("schedules the rows it committed: the run finishes without a restart, each step once", async () => {
    const client = t.client("lost-persist");
    const eventName = uniqueName("lost-persist/go");
    const runs = { before: 0, after: 0 };
    const fn = client.createFunction(
      { id: "steps", retries: 0, triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.run("before", () => {
          runs.before++;
          return 1;
        });
        await step.sleep("pause", "1s");
        return step.run("after", () => {
          runs.after++;
          return 2;
        });
      },
    );
    await t.serve(client, [fn]);

    let lostRunId = "";
    onPersistCommitted = (runIds) => {
      const [runId] = runIds;
      if (lostRunId === "" && runIds.length === 1 && runId) {
        lostRunId = runId;
        throw new Error("connection ended after the commit (fault)");
      }
    };
    try {
      const [eventId] = await t.send({ name: eventName });
      const run = await t.finishedRunOf(eventId!, "Completed", 30_000);
      expect(run.run_id).toBe(lostRunId);
      expect(run.output).toBe(2);
      expect(
        t.logs.some((line) => line.msg === "queue.item_failed" && line.run_id === lostRunId),
        "the persist's caller saw the error",
      ).toBe(true);
      expect(
        t.logs.some(
          (line) => line.msg === "run.lost_persist_scheduled" && line.run_id === lostRunId,
        ),
      ).toBe(true);
      expect(runs).toEqual({ before: 1, after: 1 });
    } finally {
      onPersistCommitted = undefined;
    }
  }, 40_000);
});
