/**
 * Conformance: a finalize that committed although its caller saw an error (the connection
 * dropped before the answer; group commit then rejects every member of the batch) must not
 * leave the run held as running in memory — its singleton lock, deadlines, throttle entry and
 * output tally are released as a finalize that was answered releases them.
 */
import { NonRetriableError } from "inngest";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { ORPHAN_SCAN_LIMIT, ORPHAN_SCAN_WINDOW_MS, ORPHAN_SCAN_INTERVAL_MS } from "../orphan-scan";
import { setupEngine, uniqueName, waitFor } from "./harness";

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

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

describe("the runs a finalize whose answer was lost created", () => {
  it("run exactly once without a restart: the orphan scan schedules them", async () => {
    const client = t.client("lost-finalize-children");
    const eventName = uniqueName("lost-finalize/fail");
    const handled: string[] = [];
    const finished: string[] = [];
    const fn = client.createFunction(
      {
        id: "fails",
        retries: 0,
        triggers: [{ event: eventName }],
        onFailure: async ({ event }) => {
          handled.push(String(event.data.run_id));
        },
      },
      async () => {
        throw new NonRetriableError("fails on purpose");
      },
    );
    const listener = client.createFunction(
      { id: "finished-listener", triggers: [{ event: "inngest/function.finished" }] },
      async ({ event }) => {
        if (event.data.function_id === `${client.id}-fails`)
          finished.push(String(event.data.run_id));
      },
    );
    await t.serve(client, [fn, listener]);

    let lost = 0;
    let failedRunId = "";
    onFinalizeCommitted = (runIds) => {
      if (lost === 0 && runIds.length === 1) {
        lost++;
        failedRunId = runIds[0] ?? "";
        throw new Error("connection ended after the commit (fault)");
      }
    };
    try {
      const [eventId] = await t.send({ name: eventName });
      const run = await t.finishedRunOf(eventId!, "Failed");
      expect(run.run_id).toBe(failedRunId);
      await waitFor(() => handled.length > 0 && finished.length > 0, {
        timeoutMs: 45_000,
        message: "the onFailure and function.finished runs the lost finalize created ran",
      });
      expect(
        t.logs.some((line) => line.msg === "run.orphan_scheduled"),
        "scheduled by the scan, not by a restart",
      ).toBe(true);
      // Another scan period: neither runs a second time.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(handled).toEqual([failedRunId]);
      expect(finished).toEqual([failedRunId]);
    } finally {
      onFinalizeCommitted = undefined;
    }
  }, 60_000);
});

describe("the orphan scan after a long uptime with many live queue rows", () => {
  it("reaches past more rows than one window's scans read, to the run the lost finalize created", async () => {
    const client = t.client("lost-finalize-backlog");
    const eventName = uniqueName("lost-finalize/backlog");
    const doneName = uniqueName("lost-finalize/done");
    const handled: string[] = [];
    const fn = client.createFunction(
      {
        id: "fails",
        retries: 0,
        triggers: [{ event: eventName }],
        onFailure: async ({ event }) => {
          handled.push(String(event.data.run_id));
        },
      },
      async () => {
        throw new NonRetriableError("fails on purpose");
      },
    );
    const done = client.createFunction(
      { id: "done", retries: 0, triggers: [{ event: doneName }] },
      async () => "done",
    );
    await t.serve(client, [fn, done]);

    // Live rows (far-future rows of an ended run) between the scan's mark and the orphan: more
    // than the scans of one window read, so only scans that go on past full pages reach it.
    const [doneEvent] = await t.send({ name: doneName });
    const ended = await t.finishedRunOf(doneEvent!, "Completed");
    const windowRows =
      Math.ceil(ORPHAN_SCAN_WINDOW_MS / ORPHAN_SCAN_INTERVAL_MS) * ORPHAN_SCAN_LIMIT;
    await sql`
      insert into inngest_engine.queue (run_id, kind, step_id, run_at)
      select ${ended.run_id}, 'sleep', 'backlog-' || n, now() + interval '30 days'
      from generate_series(1, ${windowRows + 4 * ORPHAN_SCAN_LIMIT}) as n`;

    let lost = 0;
    onFinalizeCommitted = (runIds) => {
      if (lost === 0 && runIds.length === 1) {
        lost++;
        throw new Error("connection ended after the commit (fault)");
      }
    };
    try {
      const [eventId] = await t.send({ name: eventName });
      const run = await t.finishedRunOf(eventId!, "Failed");
      await waitFor(() => handled.includes(run.run_id), {
        timeoutMs: 80_000,
        intervalMs: 250,
        message: "the onFailure run behind the backlog ran",
      });
      expect(handled).toEqual([run.run_id]);
    } finally {
      onFinalizeCommitted = undefined;
      await sql`delete from inngest_engine.queue where run_id = ${ended.run_id}`;
    }
  }, 100_000);
});
