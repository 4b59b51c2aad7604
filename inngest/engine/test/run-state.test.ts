/**
 * One RunState per run: a run loaded from the database (after a restart) by two paths at once
 * — a checkpoint arriving as its queue item comes due — is loaded once and shared, so a step
 * the checkpoint saves is in the state the dispatch sends.
 */
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { InngestEngine } from "../engine";
import { setupEngine, uniqueName } from "./harness";

const t = setupEngine();

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 2, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

/** The engine's run loader, reached past `private` (it has no public equivalent). */
type RunLoader = { getRun(id: string): Promise<object | undefined> };

it("concurrent loads of one run share one RunState", async () => {
  const client = t.client("run-state");
  const eventName = uniqueName("run-state/go");
  const fn = client.createFunction(
    { id: "run-state", triggers: [{ event: eventName }] },
    async ({ step }) => {
      await step.sleep("long-nap", "1h");
      return "done";
    },
  );
  await t.serve(client, [fn]);
  const [eventId] = await t.send({ name: eventName });
  const run = await t.runOf(eventId!);

  // A fresh engine object on the same database, as after a restart: nothing in memory yet.
  // It is never recovered, so it takes no lock and dispatches nothing.
  const restarted = new InngestEngine(sql, {
    historyRetentionHours: 24,
    pruneIntervalMs: 60_000,
    maxConcurrentRequests: 4,
    requestTimeoutMs: 10_000,
    checkpointing: true,
    interruptedRequestGraceMs: 0,
    log: () => {},
  }) as unknown as RunLoader;
  const [first, second] = await Promise.all([
    restarted.getRun(run.run_id),
    restarted.getRun(run.run_id),
  ]);
  expect(first).toBeDefined();
  expect(second).toBe(first);
  expect(await restarted.getRun(run.run_id)).toBe(first);
});
