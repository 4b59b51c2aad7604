/**
 * Conformance: finished history is kept for the retention period and then pruned; work in
 * progress never is (spec §9, issue: "Completed-run history is kept for a configurable
 * period and pruned").
 */
import { describe, expect, it } from "vitest";
import { gate, setupEngine, uniqueName, waitFor } from "./harness";

// A retention of 0.5 s, checked every 0.2 s, so pruning is observable within a test.
const t = setupEngine({ historyRetentionHours: 0.5 / 3600, pruneIntervalSeconds: 0.2 });

describe("history retention", () => {
  it("prunes a finished run and its event after the retention period, and keeps a run still in progress", async () => {
    const client = t.client("retention");
    const quick = uniqueName("retention/quick");
    const slow = uniqueName("retention/slow");
    const held = gate();
    const quickFn = client.createFunction(
      { id: "quick", triggers: [{ event: quick }] },
      async () => "done",
    );
    const slowFn = client.createFunction(
      { id: "slow", triggers: [{ event: slow }] },
      async ({ step }) => {
        await step.run("wait", () => held.promise);
        return "finally";
      },
    );
    await t.serve(client, [quickFn, slowFn]);

    const [quickEvent] = await t.send({ name: quick, data: {} });
    const finished = await t.finishedRunOf(quickEvent!, "Completed");
    const [slowEvent] = await t.send({ name: slow, data: {} });
    const inProgress = await waitFor(async () => (await t.runsForEvent(slowEvent!))[0], {
      message: "the slow run never started",
    });

    await waitFor(async () => (await fetch(`${t.url}/v1/runs/${finished.run_id}`)).status === 404, {
      timeoutMs: 10_000,
      message: "the finished run was never pruned",
    });
    expect((await fetch(`${t.url}/v1/events/${quickEvent}`)).status).toBe(404);
    expect(await t.getRun(inProgress.run_id)).toMatchObject({ status: "Running" });

    held.release();
    expect((await t.finishedRunOf(slowEvent!, "Completed")).output).toBe("finally");
  });
});
