import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runEvents, skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import { ZERO_USAGE } from "@/server/agent/usage";
import { recordUsage } from "./run-lifecycle";
import { finishRun } from "./run-turn";
import { cancelRun } from "./runs";
import { failTimedOutRun } from "./run-timeouts";

const { db } = openTestDatabase();
const LIMITS = { startSeconds: 60, finishSeconds: 600 };
const ENGINE_RUN = "01ENGINERUN";

/** A run as the engine's cancellation finds it: status, age and the engine run that started it. */
async function runThat(state: {
  status: "queued" | "running";
  ageSeconds: number;
  engineRunId?: string;
}) {
  const { ref } = await createQueuedRun(db);
  const at = new Date(Date.now() - state.ageSeconds * 1000);
  await db
    .update(skillRuns)
    .set({
      status: state.status,
      createdAt: at,
      startedAt: state.status === "running" ? at : null,
      inngestRunId: state.engineRunId ?? null,
    })
    .where(eq(skillRuns.id, ref.runId));
  return ref;
}

const cancelledEngineRun = (ref: { runId: string; tenantId: string }, engineRunId = ENGINE_RUN) =>
  failTimedOutRun(db, { triggeringEventData: ref, engineRunId }, LIMITS);

async function stateOf(runId: string) {
  const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
  const timeline = await db
    .select({ type: runEvents.type, payload: runEvents.payload })
    .from(runEvents)
    .where(eq(runEvents.runId, runId))
    .orderBy(asc(runEvents.id));
  return { run, timeline };
}

describe("failTimedOutRun", () => {
  it("a run still queued past the start limit fails as start_timeout, with its timeline event", async () => {
    const ref = await runThat({ status: "queued", ageSeconds: 61 });
    expect(await cancelledEngineRun(ref)).toBe("start_timeout");
    const { run, timeline } = await stateOf(ref.runId);
    expect(run).toMatchObject({ status: "failed", failureCode: "start_timeout" });
    expect(run?.failureReason).toContain("60 s");
    expect(timeline.at(-1)).toMatchObject({
      type: "failed",
      payload: { failureCode: "start_timeout" },
    });
    // Once: a retried handler changes nothing.
    expect(await cancelledEngineRun(ref)).toBe("unchanged");
  });

  it("a run running under the cancelled engine run past the finish limit fails as run_timeout", async () => {
    const ref = await runThat({ status: "running", ageSeconds: 601, engineRunId: ENGINE_RUN });
    expect(await cancelledEngineRun(ref)).toBe("run_timeout");
    expect((await stateOf(ref.runId)).run).toMatchObject({
      status: "failed",
      failureCode: "run_timeout",
    });
  });

  it("keeps the tokens and cost the aborted turn of a timed-out run records afterwards, once", async () => {
    const ref = await runThat({ status: "running", ageSeconds: 601, engineRunId: ENGINE_RUN });
    expect(await cancelledEngineRun(ref)).toBe("run_timeout");
    const spent = { ...ZERO_USAGE, inputTokens: 1200, outputTokens: 300, costUsd: "0.012000" };
    expect(await recordUsage(db, ref, spent)).toBe(true);
    expect(await recordUsage(db, ref, { ...ZERO_USAGE, costUsd: "0.000000" })).toBe(false);
    expect((await stateOf(ref.runId)).run).toMatchObject({
      status: "failed",
      failureCode: "run_timeout",
      inputTokens: 1200,
      outputTokens: 300,
      costUsd: "0.012000",
    });
  });

  it("keeps the usage of a turn that completes after its run timed out", async () => {
    const ref = await runThat({ status: "running", ageSeconds: 601, engineRunId: ENGINE_RUN });
    expect(await cancelledEngineRun(ref)).toBe("run_timeout");
    const usage = { ...ZERO_USAGE, inputTokens: 50, outputTokens: 5, costUsd: "0.000028" };
    expect(await finishRun(db, ref, { kind: "complete", markdown: "# Late", usage })).toBe(
      "complete",
    );
    expect((await stateOf(ref.runId)).run).toMatchObject({
      status: "failed",
      failureCode: "run_timeout",
      deliverable: null,
      inputTokens: 50,
      costUsd: "0.000028",
    });
  });

  it("leaves a run another engine run started, a run cancelled early elsewhere, and a terminal run", async () => {
    const takenOver = await runThat({ status: "running", ageSeconds: 601, engineRunId: "01OTHER" });
    const tooYoungToRun = await runThat({
      status: "running",
      ageSeconds: 30,
      engineRunId: ENGINE_RUN,
    });
    const tooYoungToStart = await runThat({ status: "queued", ageSeconds: 10 });
    const cancelled = await runThat({ status: "queued", ageSeconds: 61 });
    await cancelRun({ db, dispatcher: { send: async () => ({ ids: [] }) } }, cancelled);

    for (const ref of [takenOver, tooYoungToRun, tooYoungToStart, cancelled])
      expect(await cancelledEngineRun(ref)).toBe("unchanged");
    expect((await stateOf(takenOver.runId)).run?.status).toBe("running");
    expect((await stateOf(tooYoungToRun.runId)).run?.status).toBe("running");
    expect((await stateOf(tooYoungToStart.runId)).run?.status).toBe("queued");
    expect((await stateOf(cancelled.runId)).run?.status).toBe("cancelled");
  });

  it("reads the engine's event as untrusted: no run named, nothing changes", async () => {
    const ref = await runThat({ status: "queued", ageSeconds: 61 });
    expect(
      await failTimedOutRun(db, { triggeringEventData: { runId: "x" }, engineRunId: "E" }, LIMITS),
    ).toBe("unchanged");
    expect(await failTimedOutRun(db, { triggeringEventData: ref, engineRunId: 5 }, LIMITS)).toBe(
      "unchanged",
    );
    expect((await stateOf(ref.runId)).run?.status).toBe("queued");
  });
});
