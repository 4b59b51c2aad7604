import { asc, eq } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { runEvents, skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import type { RunEvent } from "@/inngest/events";
import { MAX_REDISPATCHES, settleCrashedRun } from "./crash-recovery";
import { claimTurn, markRunning } from "./run-lifecycle";
import type { RunServiceDeps } from "./runs";

const { db } = openTestDatabase();

/** What a step meets while PostgreSQL restarts: drizzle's wrapper around the driver's error. */
const outage = () =>
  new DrizzleQueryError(
    'update "skill_runs" set "turn_started_at" = $1',
    ["a value"],
    Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), {
      code: "CONNECTION_CLOSED",
    }),
  );

/** A dispatcher that records what it is asked to send, failing while `down` is set. */
function recordingDispatcher() {
  const sent: RunEvent[] = [];
  const dispatcher = {
    down: false,
    sent,
    async send(event: RunEvent | RunEvent[]) {
      if (dispatcher.down) throw new Error("Inngest API Error: 500 Internal server error");
      sent.push(...(Array.isArray(event) ? event : [event]));
      return { ids: sent.map((_, index) => String(index)) };
    },
  };
  return dispatcher;
}

async function queuedRun() {
  return (await createQueuedRun(db)).ref;
}

const rowOf = async (runId: string) =>
  (await db.select().from(skillRuns).where(eq(skillRuns.id, runId)))[0]!;
const timelineOf = async (runId: string) =>
  (
    await db
      .select({ type: runEvents.type })
      .from(runEvents)
      .where(eq(runEvents.runId, runId))
      .orderBy(asc(runEvents.id))
  ).map((event) => event.type);

function settle(
  deps: RunServiceDeps,
  ref: { runId: string; tenantId: string },
  error: unknown,
  failedRunId = "01ENGINERUN",
) {
  return settleCrashedRun(deps, { triggeringEventData: ref, failedRunId, error });
}

describe("settleCrashedRun (run-skill's onFailure)", () => {
  it("dispatches a run whose mark-running step met the outage again, under the failed engine run's event id", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("redispatched");
    expect(await rowOf(ref.runId)).toMatchObject({ status: "queued", failureCode: null });
    expect(dispatcher.sent).toEqual([
      { name: "skill/run.requested", id: `${ref.runId}:after:01FAILED`, data: ref },
    ]);
    expect(await timelineOf(ref.runId)).toEqual(["redispatched"]);
  });

  it("puts a running run whose turn was never claimed back in the queue, as it was before it started", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01FAILED")).toBe(true);
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("redispatched");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "queued",
      startedAt: null,
      inngestRunId: null,
      turnStartedAt: null,
    });
    expect(await timelineOf(ref.runId)).toEqual(["running", "redispatched"]);
    expect(dispatcher.sent).toHaveLength(1);
    // The new execution starts it again.
    expect(await markRunning(db, ref, "01NEXT")).toBe(true);
  });

  it("still fails a run whose turn was claimed: the model may have been called, so it never runs twice", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01FAILED")).toBe(true);
    expect(await claimTurn(db, ref, "01FAILED")).toBe(true);
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("failed");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: "The run crashed on a database error: write CONNECTION_CLOSED 127.0.0.1:5432",
    });
    expect(dispatcher.sent).toEqual([]);
  });

  it("dispatches again a run whose step the engine lost before the claim (it stopped or lost its lock), but not once the turn was claimed", async () => {
    const lost = () =>
      Object.assign(
        new Error("The engine stopped while this step was running, and no attempts remain."),
        {
          name: "Error",
        },
      );
    const dispatcher = recordingDispatcher();
    const unclaimed = await queuedRun();
    expect(await markRunning(db, unclaimed, "01FAILED")).toBe(true);
    expect(await settle({ db, dispatcher }, unclaimed, lost(), "01FAILED")).toBe("redispatched");
    expect(await rowOf(unclaimed.runId)).toMatchObject({ status: "queued", turnStartedAt: null });

    const claimed = await queuedRun();
    expect(await markRunning(db, claimed, "01FAILED")).toBe(true);
    expect(await claimTurn(db, claimed, "01FAILED")).toBe(true);
    expect(await settle({ db, dispatcher }, claimed, lost(), "01FAILED")).toBe("failed");
    expect(await rowOf(claimed.runId)).toMatchObject({ failureCode: "agent_crashed" });
    expect(dispatcher.sent).toHaveLength(1);
  });

  it("fails a crash that is not an outage as agent_crashed, claimed or not", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref)).toBe(true);
    expect(await settle({ db, dispatcher }, ref, new Error("the model registry exploded"))).toBe(
      "failed",
    );
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "failed",
      failureCode: "agent_crashed",
    });
    expect(dispatcher.sent).toEqual([]);
  });

  it(`fails the run once an outage has stopped it ${MAX_REDISPATCHES} times`, async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    for (let attempt = 0; attempt < MAX_REDISPATCHES; attempt += 1) {
      expect(await markRunning(db, ref, `01RUN${attempt}`)).toBe(true);
      expect(await settle({ db, dispatcher }, ref, outage(), `01RUN${attempt}`)).toBe(
        "redispatched",
      );
    }
    expect(await settle({ db, dispatcher }, ref, outage(), "01LAST")).toBe("failed");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "failed",
      failureCode: "agent_crashed",
    });
    expect(dispatcher.sent).toHaveLength(MAX_REDISPATCHES);
  });

  it("throws when the send fails, so the handler is retried, and the retry sends the same event", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    dispatcher.down = true;
    await expect(settle({ db, dispatcher }, ref, outage(), "01FAILED")).rejects.toThrow(/500/);
    expect((await rowOf(ref.runId)).status).toBe("queued");
    dispatcher.down = false;
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("redispatched");
    expect(dispatcher.sent.map((event) => event.id)).toEqual([`${ref.runId}:after:01FAILED`]);
  });

  it("counts and records a retried handler once: its failed sends do not use up the budget", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01FAILED")).toBe(true);
    dispatcher.down = true;
    for (let attempt = 0; attempt < MAX_REDISPATCHES; attempt += 1)
      await expect(settle({ db, dispatcher }, ref, outage(), "01FAILED")).rejects.toThrow(/500/);
    dispatcher.down = false;
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("redispatched");
    expect(await timelineOf(ref.runId)).toEqual(["running", "redispatched"]);
    // The budget left is that of a run stopped once.
    for (let attempt = 1; attempt < MAX_REDISPATCHES; attempt += 1) {
      expect(await markRunning(db, ref, `01RUN${attempt}`)).toBe(true);
      expect(await settle({ db, dispatcher }, ref, outage(), `01RUN${attempt}`)).toBe(
        "redispatched",
      );
    }
    expect(await markRunning(db, ref, "01LAST")).toBe(true);
    expect(await settle({ db, dispatcher }, ref, outage(), "01LAST")).toBe("failed");
  });

  it("writes one event when two attempts of one handler settle the run at once", async () => {
    const dispatcher = recordingDispatcher();
    for (let round = 0; round < 5; round += 1) {
      const ref = await queuedRun();
      expect(await markRunning(db, ref, "01FAILED")).toBe(true);
      const outcomes = await Promise.all([
        settle({ db, dispatcher }, ref, outage(), "01FAILED"),
        settle({ db, dispatcher }, ref, outage(), "01FAILED"),
      ]);
      expect(outcomes).toEqual(["redispatched", "redispatched"]);
      expect(await timelineOf(ref.runId)).toEqual(["running", "redispatched"]);
    }
  });

  it("leaves a run another engine run has started since to that one, when the failed one's handler is retried", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01FAILED")).toBe(true);
    dispatcher.down = true;
    await expect(settle({ db, dispatcher }, ref, outage(), "01FAILED")).rejects.toThrow(/500/);
    // Meanwhile the reconciler's resend starts another engine run, which claims the turn.
    expect(await markRunning(db, ref, "01RESENT")).toBe(true);
    expect(await claimTurn(db, ref, "01RESENT")).toBe(true);
    dispatcher.down = false;
    expect(await settle({ db, dispatcher }, ref, outage(), "01FAILED")).toBe("unchanged");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "running",
      inngestRunId: "01RESENT",
      failureCode: null,
    });
    expect(await timelineOf(ref.runId)).toEqual(["running", "redispatched", "running"]);
    expect(dispatcher.sent).toEqual([]);
  });

  it("leaves a run another engine run has started alone when a stale engine run fails, outage or not", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01CURRENT")).toBe(true);
    expect(await settle({ db, dispatcher }, ref, outage(), "01STALE")).toBe("unchanged");
    expect(await settle({ db, dispatcher }, ref, new Error("boom"), "01STALE")).toBe("unchanged");
    expect(await rowOf(ref.runId)).toMatchObject({ status: "running", inngestRunId: "01CURRENT" });
    // The current engine run's own crash still fails it.
    expect(await settle({ db, dispatcher }, ref, new Error("boom"), "01CURRENT")).toBe("failed");
  });

  it("leaves a terminal run, and an event that names no run, alone", async () => {
    const dispatcher = recordingDispatcher();
    const ref = await queuedRun();
    await db.update(skillRuns).set({ status: "cancelled" }).where(eq(skillRuns.id, ref.runId));
    expect(await settle({ db, dispatcher }, ref, outage())).toBe("unchanged");
    expect(
      await settle({ db, dispatcher }, { runId: "nope", tenantId: ref.tenantId }, outage()),
    ).toBe("unchanged");
    expect((await rowOf(ref.runId)).status).toBe("cancelled");
    expect(dispatcher.sent).toEqual([]);
  });
});

describe("claimTurn with the engine run id", () => {
  it("lets only the engine run that marked the run running claim its turn", async () => {
    const ref = await queuedRun();
    expect(await markRunning(db, ref, "01CURRENT")).toBe(true);
    // A step of an engine run given up on an outage, arriving after the run was dispatched again.
    expect(await claimTurn(db, ref, "01GIVENUP")).toBe(false);
    expect((await rowOf(ref.runId)).turnStartedAt).toBeNull();
    expect(await claimTurn(db, ref, "01CURRENT")).toBe(true);
  });
});
