import { asc, eq, inArray, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { runEvents, skillRuns } from "@/server/db/schema";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { reconcileRuns, type ReconcileOptions } from "./reconcile";
import { RUN_REQUESTED } from "@/inngest/events";
import type { RunDispatcher } from "./runs";

const { db } = openTestDatabase();

const OPTIONS: ReconcileOptions = {
  staleRunningMs: 15 * 60_000,
  dispatchRetryMs: 2 * 60_000,
  dispatchLostMs: 10 * 60_000,
  batchSize: 100,
};
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

// The real embedded engine receives the resent events (no function is registered).
let engine: Engine;
let dispatcher: RunDispatcher;
beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "reconcile-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

/** The run-requested events the engine received for these runs. */
async function requestedEvents(runIds: string[]) {
  const rows = await db.execute<{
    payload: { id: string; data: { runId: string; source?: string } };
  }>(
    sql`select payload from inngest_engine.events where name = ${RUN_REQUESTED} and payload -> 'data' ->> 'runId' in (${sql.join(
      runIds.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  return rows.map((row) => row.payload);
}

async function insertRuns(
  rows: {
    status: "queued" | "running" | "complete";
    createdAt: Date;
    startedAt?: Date;
    liveOutput?: { text: string; withheld: boolean };
  }[],
) {
  const { tenant, skill, agent } = await createTenantWithSkill(db);
  const runs = await db
    .insert(skillRuns)
    .values(
      rows.map((row) => ({
        tenantId: tenant.id,
        skillId: skill.id,
        skillVersion: "v1",
        agentId: agent.id,
        source: "manual" as const,
        inputs: {},
        ...row,
      })),
    )
    .returning({ id: skillRuns.id });
  return runs.map((run) => run.id);
}

/** The timeline's record of an earlier tick's resend of `runId`, at `at`. */
async function recordResend(runId: string, at: Date) {
  const [run] = await db
    .select({ tenantId: skillRuns.tenantId })
    .from(skillRuns)
    .where(eq(skillRuns.id, runId));
  await db
    .insert(runEvents)
    .values({ runId, tenantId: run!.tenantId, type: "dispatch_resent", at });
}

const statusOf = async (ids: string[]) =>
  Object.fromEntries(
    (
      await db
        .select({ id: skillRuns.id, status: skillRuns.status, code: skillRuns.failureCode })
        .from(skillRuns)
        .where(inArray(skillRuns.id, ids))
    ).map((run) => [run.id, `${run.status}${run.code ? `/${run.code}` : ""}`]),
  );

describe("reconcileRuns", () => {
  it("fails stale running runs and lost queued ones, resends the event of late queued runs once, and leaves the rest", async () => {
    const [stale, freshRunning, lost, late, fresh, done] = await insertRuns([
      { status: "running", createdAt: minutesAgo(30), startedAt: minutesAgo(20) },
      { status: "running", createdAt: minutesAgo(5), startedAt: minutesAgo(5) },
      { status: "queued", createdAt: minutesAgo(11) },
      { status: "queued", createdAt: minutesAgo(3) },
      { status: "queued", createdAt: minutesAgo(1) },
      { status: "complete", createdAt: minutesAgo(60), startedAt: minutesAgo(60) },
    ]);
    await recordResend(lost!, minutesAgo(8));
    const result = await reconcileRuns({ db, dispatcher }, OPTIONS);

    expect(result.staleRunning).toContain(stale);
    expect(result.dispatchLost).toContain(lost);
    expect(result.resent).toEqual(expect.arrayContaining([late]));
    expect(await statusOf([stale!, freshRunning!, lost!, late!, fresh!, done!])).toEqual({
      [stale!]: "failed/stale_running",
      [freshRunning!]: "running",
      [lost!]: "failed/dispatch_lost",
      [late!]: "queued",
      [fresh!]: "queued",
      [done!]: "complete",
    });
    expect(await requestedEvents([late!])).toEqual([
      expect.objectContaining({
        id: `${late}:resend`,
        data: { runId: late, tenantId: expect.any(String), source: "manual" },
      }),
    ]);

    // A second tick resends nothing again and fails nothing twice.
    const again = await reconcileRuns({ db, dispatcher }, OPTIONS);
    expect(again.resent).not.toContain(late);
    const staleEvents = await db
      .select({ type: runEvents.type })
      .from(runEvents)
      .where(eq(runEvents.runId, stale!))
      .orderBy(asc(runEvents.id));
    expect(staleEvents.map((event) => event.type)).toEqual(["failed"]);
  });

  it("resends a run already past the lost cutoff before failing it, and fails it only a retry interval after the resend", async () => {
    // Its tenant's queue stalled only now (the ticks are a minute apart): it was never resent.
    const [late] = await insertRuns([{ status: "queued", createdAt: minutesAgo(30) }]);
    const first = await reconcileRuns({ db, dispatcher }, OPTIONS);
    expect(first.dispatchLost).not.toContain(late);
    expect(first.resent).toContain(late);
    const soonAfter = await reconcileRuns(
      { db, dispatcher },
      OPTIONS,
      new Date(Date.now() + 60_000),
    );
    expect(soonAfter.dispatchLost).not.toContain(late);
    const past = await reconcileRuns(
      { db, dispatcher },
      OPTIONS,
      new Date(Date.now() + OPTIONS.dispatchRetryMs + 60_000),
    );
    expect(past.dispatchLost).toContain(late);
    expect(past.resent).not.toContain(late);
    expect(await statusOf([late!])).toEqual({ [late!]: "failed/dispatch_lost" });
  });

  it("clears the partial text a crashed streaming turn left on a stale run", async () => {
    const [stale] = await insertRuns([
      {
        status: "running",
        createdAt: minutesAgo(40),
        startedAt: minutesAgo(30),
        liveOutput: { text: "The first half of a repo", withheld: false },
      },
    ]);
    expect((await reconcileRuns({ db, dispatcher }, OPTIONS)).staleRunning).toContain(stale);
    const [row] = await db
      .select({ status: skillRuns.status, liveOutput: skillRuns.liveOutput })
      .from(skillRuns)
      .where(eq(skillRuns.id, stale!));
    expect(row).toEqual({ status: "failed", liveOutput: null });
  });

  it("resends a run with its source, a schedule's Run now as manual so it keeps its priority", async () => {
    const [tick, runNow] = await insertRuns([
      { status: "queued", createdAt: minutesAgo(3) },
      { status: "queued", createdAt: minutesAgo(3) },
    ]);
    const user = await createUser(db);
    await db.update(skillRuns).set({ source: "schedule" }).where(eq(skillRuns.id, tick!));
    await db
      .update(skillRuns)
      .set({ source: "schedule", invokerUserId: user.id })
      .where(eq(skillRuns.id, runNow!));
    await reconcileRuns({ db, dispatcher }, OPTIONS);
    const sources = Object.fromEntries(
      (await requestedEvents([tick!, runNow!])).map((event) => [
        event.data.runId,
        event.data.source,
      ]),
    );
    expect(sources).toEqual({ [tick!]: "schedule", [runNow!]: "manual" });
  });

  it("is safe when two ticks overlap: every run fails once and is resent at most once", async () => {
    const ids = await insertRuns([
      ...Array.from({ length: 20 }, () => ({
        status: "running" as const,
        createdAt: minutesAgo(40),
        startedAt: minutesAgo(30),
      })),
      ...Array.from({ length: 20 }, () => ({
        status: "queued" as const,
        createdAt: minutesAgo(4),
      })),
    ]);
    await Promise.all([
      reconcileRuns({ db, dispatcher }, OPTIONS),
      reconcileRuns({ db, dispatcher }, OPTIONS),
    ]);
    const failedEvents = await db
      .select({ runId: runEvents.runId })
      .from(runEvents)
      .where(inArray(runEvents.runId, ids.slice(0, 20)));
    expect(failedEvents).toHaveLength(20);
    const resends = await requestedEvents(ids.slice(20));
    expect(resends).toHaveLength(20);
    expect(new Set(resends.map((event) => event.data.runId)).size).toBe(20);
  });

  it("leaves queued runs alone while their tenant's queue is moving (they wait for a concurrency slot)", async () => {
    const [waiting, backlog] = await insertRuns([
      { status: "queued", createdAt: minutesAgo(11) },
      { status: "queued", createdAt: minutesAgo(3) },
      { status: "running", createdAt: minutesAgo(12), startedAt: minutesAgo(1) },
    ]);
    const result = await reconcileRuns({ db, dispatcher }, OPTIONS);
    expect(result.dispatchLost).not.toContain(waiting);
    expect(result.resent).not.toContain(backlog);
    expect(await statusOf([waiting!, backlog!])).toEqual({
      [waiting!]: "queued",
      [backlog!]: "queued",
    });
    expect(await requestedEvents([waiting!, backlog!])).toEqual([]);
  });

  it("neither fails nor resends a queued run another transaction is moving (a cancel not yet committed)", async () => {
    // Past the lost cutoff: the first was resent long ago (the lost step's), the second never (the resend's).
    const [resentLongAgo, neverResent] = await insertRuns([
      { status: "queued", createdAt: minutesAgo(11) },
      { status: "queued", createdAt: minutesAgo(11) },
    ]);
    await recordResend(resentLongAgo!, minutesAgo(8));
    const moving = [resentLongAgo!, neverResent!];
    const { tenantId } = (
      await db
        .select({ tenantId: skillRuns.tenantId })
        .from(skillRuns)
        .where(eq(skillRuns.id, neverResent!))
    )[0]!;
    const result = await db.transaction(async (tx) => {
      await tx.update(skillRuns).set({ status: "cancelled" }).where(inArray(skillRuns.id, moving));
      await tx
        .insert(runEvents)
        .values(moving.map((runId) => ({ runId, tenantId, type: "cancelled" })));
      // The tick runs on other connections while this transaction holds the runs' rows.
      return reconcileRuns({ db, dispatcher }, OPTIONS);
    });
    expect(result.dispatchLost).not.toContain(resentLongAgo);
    expect(result.resent).not.toContain(neverResent);
    const timeline = await db
      .select({ runId: runEvents.runId, type: runEvents.type })
      .from(runEvents)
      .where(inArray(runEvents.runId, moving))
      .orderBy(asc(runEvents.id));
    expect(timeline).toEqual([
      { runId: resentLongAgo, type: "dispatch_resent" },
      { runId: resentLongAgo, type: "cancelled" },
      { runId: neverResent, type: "cancelled" },
    ]);
    expect(await requestedEvents([neverResent!])).toEqual([]);
  });
});
