import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "@/inngest/events";
import { isTerminal } from "@/lib/enums";
import {
  MAX_OVERRIDES_CHARS,
  startBulkOperationInput,
  type BulkRunFilters,
} from "@/lib/schemas/bulk-operations";
import {
  auditLog,
  bulkOperations,
  runEvents,
  skillRuns,
  type RunStatus,
  type SkillInputsSchema,
} from "@/server/db/schema";
import {
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
} from "@/test/fixtures";
import { processBulkBatch } from "./bulk-batch";
import {
  BulkCountChangedError,
  BulkDispatchFailedError,
  BulkOperationEndedError,
  BulkOperationNotFoundError,
  BulkRequestInvalidError,
} from "./bulk-errors";
import {
  cancelBulkOperation,
  countMatchingRuns,
  failBulkOperation,
  getBulkOperation,
  listRecentBulkOperations,
  startBulkOperation,
} from "./bulk-operations";
import { BULK_REQUEST_LOST_AFTER_MS, resendLostBulkOperations } from "./bulk-resend";
import { InputsInvalidError } from "./run-errors";
import type { RunDispatcher } from "./runs";

const { db } = openTestDatabase();
const audit = { actor: { type: "user" as const, id: null }, origin: null };
const inputsSchema: SkillInputsSchema = {
  type: "object",
  required: ["topic"],
  properties: { topic: { type: "string", minLength: 1 }, depth: { type: "integer", minimum: 1 } },
};

type World = Awaited<ReturnType<typeof createTenantWithSkill>> &
  ReturnType<typeof recordingDispatcher> & { userId: string };

/** A tenant with the skill, an operator, and the dispatcher its operations' events go to. */
async function world(): Promise<World> {
  const created = await createTenantWithSkill(db, { inputsSchema });
  const user = await createUser(db, [{ tenantId: created.tenant.id, role: "operator" }]);
  return { ...created, ...recordingDispatcher(), userId: user.id };
}

/** Runs of the world's skill with these statuses, each with its first timeline event. */
async function runs(w: World, statuses: RunStatus[], tags: string[] = []) {
  const rows = await db
    .insert(skillRuns)
    .values(
      statuses.map((status, index) => ({
        tenantId: w.tenant.id,
        skillId: w.skill.id,
        skillVersion: "v1",
        agentId: w.agent.id,
        source: "manual" as const,
        inputs: { topic: `topic ${index}`, depth: 2 },
        status,
        tags,
        // Distinct times, newest last, as runs started one after another.
        createdAt: new Date(Date.now() - 60_000 + index),
        finishedAt: isTerminal(status) ? new Date(Date.now() - 30_000 + index) : null,
      })),
    )
    .returning({ id: skillRuns.id });
  await db
    .insert(runEvents)
    .values(rows.map((row) => ({ runId: row.id, tenantId: w.tenant.id, type: "queued" })));
  return rows.map((row) => row.id);
}

function recordingDispatcher() {
  const sent: RunEvent[] = [];
  const dispatcher: RunDispatcher = {
    send: async (event) => {
      sent.push(...[event].flat());
      return { ids: [] };
    },
  };
  return { sent, dispatcher };
}

const actorOf = (w: World) => ({ tenantId: w.tenant.id, userId: w.userId });

/** "Cancel all matching" by the world's operator, under a new key, confirmed with room to spare. */
const startCancel = (w: World, filters: BulkRunFilters) =>
  startBulkOperation(
    { db, dispatcher: w.dispatcher },
    actorOf(w),
    { kind: "cancel", filters, idempotencyKey: randomUUID(), confirmedTotal: 1_000 },
    audit,
  );

/** "Re-run all matching" by the world's operator, with these input overrides. */
const startRerun = (w: World, filters: BulkRunFilters, inputOverrides?: Record<string, unknown>) =>
  startBulkOperation(
    { db, dispatcher: w.dispatcher },
    actorOf(w),
    { kind: "rerun", filters, inputOverrides, idempotencyKey: randomUUID(), confirmedTotal: 1_000 },
    audit,
  );

async function drain(
  deps: { dispatcher: RunDispatcher },
  ref: { operationId: string; tenantId: string },
  batchSize: number,
) {
  for (let step = 0; step < 1_000; step++) {
    const { finished } = await processBulkBatch({ db, ...deps }, ref, batchSize);
    if (finished) return step;
  }
  throw new Error("the operation never finished");
}

/** How many `cancelled` timeline events each run has. */
async function cancelEventsOf(runIds: string[]) {
  const rows = await db
    .select({ runId: runEvents.runId })
    .from(runEvents)
    .where(and(inArray(runEvents.runId, runIds), eq(runEvents.type, "cancelled")));
  const counts = new Map(runIds.map((id) => [id, 0]));
  for (const row of rows) counts.set(row.runId, (counts.get(row.runId) ?? 0) + 1);
  return counts;
}

async function statusesOf(runIds: string[]) {
  const rows = await db
    .select({ id: skillRuns.id, status: skillRuns.status })
    .from(skillRuns)
    .where(inArray(skillRuns.id, runIds));
  return new Map(rows.map((row) => [row.id, row.status]));
}

describe("bulk cancel by filter", () => {
  it("cancels every queued or running run the filter matches, in batches, each once, and logs start and finish", async () => {
    const w = await world();
    const active = await runs(w, ["queued", "running", "queued", "running", "queued"], ["batch:a"]);
    const ended = await runs(w, ["complete", "failed"], ["batch:a"]);
    const otherTag = await runs(w, ["queued"], ["batch:b"]);
    const filters = { tags: ["batch:a"] };
    expect(await countMatchingRuns(db, w.tenant.id, "cancel", filters)).toBe(5);
    // A re-run acts on the runs that have ended.
    expect(await countMatchingRuns(db, w.tenant.id, "rerun", filters)).toBe(2);

    const { sent, dispatcher } = w;
    const { operation, created } = await startCancel(w, filters);
    expect(created).toBe(true);
    expect(operation).toMatchObject({ status: "queued", total: 5, done: 0 });
    expect(sent).toEqual([
      {
        name: "runs/bulk-operation.requested",
        id: operation.id,
        data: { operationId: operation.id, tenantId: w.tenant.id },
      },
    ]);

    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    await drain({ dispatcher }, ref, 2);

    expect([...(await cancelEventsOf([...active, ...ended, ...otherTag])).values()]).toEqual([
      1, 1, 1, 1, 1, 0, 0, 0,
    ]);
    const statuses = await statusesOf([...active, ...ended, ...otherTag]);
    expect(active.map((id) => statuses.get(id))).toEqual(Array(5).fill("cancelled"));
    expect(ended.map((id) => statuses.get(id))).toEqual(["complete", "failed"]);
    expect(statuses.get(otherTag[0]!)).toBe("queued");
    const cancelRequests = sent.filter((event) => event.name === "skill/run.cancel-requested");
    expect(
      cancelRequests.map((event) => ("runId" in event.data ? event.data.runId : null)).sort(),
    ).toEqual([...active].sort());

    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({
      status: "completed",
      total: 5,
      done: 5,
      skipped: 0,
      failed: 0,
    });
    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, w.tenant.id), eq(auditLog.targetId, operation.id)))
      .orderBy(asc(auditLog.id));
    expect(entries).toEqual([
      { action: "bulk_operation.start", metadata: { kind: "cancel", total: 5 } },
      {
        action: "bulk_operation.finish",
        metadata: { kind: "cancel", status: "completed", total: 5, done: 5, skipped: 0, failed: 0 },
      },
    ]);
  });

  it("counts a run that ended before its batch came as skipped, and never cancels it", async () => {
    const w = await world();
    const active = await runs(w, ["queued", "queued", "queued"]);
    const { dispatcher } = w;
    const { operation } = await startCancel(w, { skillId: w.skill.id });
    await db.update(skillRuns).set({ status: "complete" }).where(eq(skillRuns.id, active[0]!));
    await drain({ dispatcher }, { operationId: operation.id, tenantId: w.tenant.id }, 10);
    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({
      status: "completed",
      done: 2,
      skipped: 1,
    });
    expect((await statusesOf(active)).get(active[0]!)).toBe("complete");
  });

  it("leaves runs created after the click alone (the match set is frozen at the start)", async () => {
    const w = await world();
    const before = await runs(w, ["queued", "running"]);
    const { dispatcher } = w;
    const { operation } = await startCancel(w, { status: ["queued", "running"] });
    const at = (offsetMs: number) => new Date(operation.frozenAt.getTime() + offsetMs);
    const [atClick, later] = await db
      .insert(skillRuns)
      .values(
        [at(0), at(1)].map((createdAt) => ({
          tenantId: w.tenant.id,
          skillId: w.skill.id,
          skillVersion: "v1",
          source: "manual" as const,
          inputs: { topic: "new" },
          createdAt,
        })),
      )
      .returning({ id: skillRuns.id });
    await drain({ dispatcher }, { operationId: operation.id, tenantId: w.tenant.id }, 1);
    const statuses = await statusesOf([...before, atClick!.id, later!.id]);
    expect(before.map((id) => statuses.get(id))).toEqual(["cancelled", "cancelled"]);
    // A run stamped with the click's own millisecond was there at the click.
    expect(statuses.get(atClick!.id)).toBe("cancelled");
    expect(statuses.get(later!.id)).toBe("queued");
  });

  it("cancels the oldest runs first (those about to start), ties included", async () => {
    const w = await world();
    const [oldest, middle, newest] = await runs(w, ["queued", "queued", "queued"]);
    // Two older runs stamped with the same millisecond: the keyset must split them exactly.
    const tiedAt = new Date(Date.now() - 120_000);
    const tied = await db
      .insert(skillRuns)
      .values(
        [0, 1].map(() => ({
          tenantId: w.tenant.id,
          skillId: w.skill.id,
          skillVersion: "v1",
          source: "manual" as const,
          inputs: { topic: "tied" },
          createdAt: tiedAt,
        })),
      )
      .returning({ id: skillRuns.id });
    const { dispatcher } = w;
    const { operation } = await startCancel(w, { skillId: w.skill.id });
    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    await processBulkBatch({ db, dispatcher }, ref, 1);
    await processBulkBatch({ db, dispatcher }, ref, 2);
    const all = [...tied.map((run) => run.id), oldest!, middle!, newest!];
    const statuses = await statusesOf(all);
    expect(all.map((id) => statuses.get(id))).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
      "queued",
      "queued",
    ]);
    await drain({ dispatcher }, ref, 1);
    expect([...(await cancelEventsOf(all)).values()]).toEqual(Array(5).fill(1));
  });

  it("handles each run once when two invocations of the same batch run at the same time", async () => {
    const w = await world();
    const active = await runs(w, Array<RunStatus>(40).fill("queued"));
    const { sent, dispatcher } = w;
    const { operation } = await startCancel(w, { skillId: w.skill.id });
    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    // Each round is a step and its retry racing: both start from the same saved cursor.
    for (;;) {
      const results = await Promise.all([
        processBulkBatch({ db, dispatcher }, ref, 7),
        processBulkBatch({ db, dispatcher }, ref, 7),
      ]);
      if (results.every((result) => result.finished)) break;
    }
    expect([...(await cancelEventsOf(active)).values()]).toEqual(Array(40).fill(1));
    expect(sent.filter((event) => event.name === "skill/run.cancel-requested")).toHaveLength(40);
    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({
      status: "completed",
      done: 40,
      skipped: 0,
    });
    const finishes = await db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(
        and(eq(auditLog.targetId, operation.id), eq(auditLog.action, "bulk_operation.finish")),
      );
    expect(finishes).toHaveLength(1);
  });

  it("stops after the current batch when the operation is cancelled, and says so in the audit log", async () => {
    const w = await world();
    const active = await runs(w, Array<RunStatus>(6).fill("queued"));
    const { dispatcher } = w;
    const { operation } = await startCancel(w, { skillId: w.skill.id });
    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    expect(await processBulkBatch({ db, dispatcher }, ref, 2)).toEqual({ finished: false });
    const cancelled = await cancelBulkOperation(db, actorOf(w), operation.id, audit);
    expect(cancelled).toMatchObject({ status: "cancelled", done: 2, total: 6 });
    expect(await processBulkBatch({ db, dispatcher }, ref, 2)).toEqual({ finished: true });
    const statuses = await statusesOf(active);
    expect([...statuses.values()].filter((status) => status === "cancelled")).toHaveLength(2);
    expect([...statuses.values()].filter((status) => status === "queued")).toHaveLength(4);
    await expect(cancelBulkOperation(db, actorOf(w), operation.id, audit)).rejects.toThrow(
      BulkOperationEndedError,
    );
    const [entry] = await db
      .select({ metadata: auditLog.metadata })
      .from(auditLog)
      .where(
        and(eq(auditLog.targetId, operation.id), eq(auditLog.action, "bulk_operation.cancel")),
      );
    expect(entry?.metadata).toEqual({ kind: "cancel", total: 6, done: 2, skipped: 0, failed: 0 });
  });

  it("starts one operation for a repeated idempotency key, also when both calls race", async () => {
    const w = await world();
    await runs(w, ["queued"]);
    const { sent, dispatcher } = w;
    const request = {
      kind: "cancel" as const,
      filters: {},
      idempotencyKey: randomUUID(),
      confirmedTotal: 1_000,
    };
    const [first, second] = await Promise.all([
      startBulkOperation({ db, dispatcher }, actorOf(w), request, audit),
      startBulkOperation({ db, dispatcher }, actorOf(w), request, audit),
    ]);
    expect(first.operation.id).toBe(second.operation.id);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    const third = await startBulkOperation({ db, dispatcher }, actorOf(w), request, audit);
    expect(third).toMatchObject({ created: false, operation: { id: first.operation.id } });
    const rows = await db
      .select({ id: bulkOperations.id })
      .from(bulkOperations)
      .where(eq(bulkOperations.tenantId, w.tenant.id));
    expect(rows).toHaveLength(1);
    // A repeat of a still queued operation sends its event again, under the same event id.
    expect(new Set(sent.map((event) => event.id))).toEqual(new Set([first.operation.id]));
  });

  it("keeps an operation whose event could not be sent queued, and sends it on a repeat or from the reconciler", async () => {
    const w = await world();
    await runs(w, ["queued"]);
    const down: RunDispatcher = {
      send: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:8288");
      },
    };
    const request = {
      kind: "cancel" as const,
      filters: {},
      idempotencyKey: randomUUID(),
      confirmedTotal: 1_000,
    };
    await expect(
      startBulkOperation({ db, dispatcher: down }, actorOf(w), request, audit),
    ).rejects.toThrow(BulkDispatchFailedError);
    const [saved] = await db
      .select({ id: bulkOperations.id, status: bulkOperations.status, error: bulkOperations.error })
      .from(bulkOperations)
      .where(eq(bulkOperations.tenantId, w.tenant.id));
    expect(saved).toMatchObject({ status: "queued", error: null });

    const { sent, dispatcher } = w;
    const repeat = await startBulkOperation({ db, dispatcher }, actorOf(w), request, audit);
    expect(repeat).toMatchObject({
      created: false,
      operation: { id: saved!.id, status: "queued" },
    });
    expect(sent.map((event) => event.id)).toEqual([saved!.id]);

    const reconciler = recordingDispatcher();
    expect(await resendLostBulkOperations({ db, dispatcher: reconciler.dispatcher })).toBe(0);
    const inAMinute = new Date(Date.now() + BULK_REQUEST_LOST_AFTER_MS + 1_000);
    await resendLostBulkOperations({ db, dispatcher: reconciler.dispatcher }, inAMinute);
    expect(reconciler.sent).toContainEqual({
      name: "runs/bulk-operation.requested",
      id: saved!.id,
      data: { operationId: saved!.id, tenantId: w.tenant.id },
    });
  });

  it("refuses a start when more runs match than the operator confirmed, and writes nothing", async () => {
    const w = await world();
    await runs(w, ["queued", "queued", "queued"]);
    const { sent, dispatcher } = w;
    const before = await fingerprintTables(db);
    const request = { kind: "cancel" as const, filters: {}, idempotencyKey: randomUUID() };
    const refused = startBulkOperation(
      { db, dispatcher },
      actorOf(w),
      { ...request, confirmedTotal: 2 },
      audit,
    );
    await expect(refused).rejects.toThrow(BulkCountChangedError);
    await expect(refused).rejects.toThrow(/now matches 3 runs, not the 2 you confirmed/);
    expect(await fingerprintTables(db)).toEqual(before);
    expect(sent).toEqual([]);
    const confirmed = await startBulkOperation(
      { db, dispatcher },
      actorOf(w),
      { ...request, confirmedTotal: 3 },
      audit,
    );
    expect(confirmed).toMatchObject({ created: true, operation: { total: 3 } });
  });

  it("fails an operation with a generic reason: the internal error goes to the log, not the row", async () => {
    const w = await world();
    await runs(w, ["queued"]);
    const { operation } = await startCancel(w, {});
    const internal = new Error("connect ECONNREFUSED 10.1.2.3:5432 (password authentication)");
    await failBulkOperation(db, { operationId: operation.id, tenantId: w.tenant.id }, internal);
    const failed = await getBulkOperation(db, w.tenant.id, operation.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^Stopped by an internal error \(error id [0-9a-f]{12}\)/);
    expect(failed.error).not.toMatch(/10\.1\.2\.3|password|ECONNREFUSED/);
  });

  it("never touches another tenant's runs and answers their operation as an unknown one", async () => {
    const mine = await world();
    const theirs = await world();
    const myRuns = await runs(mine, ["queued"], ["shared:tag"]);
    const theirRuns = await runs(theirs, ["queued", "running"], ["shared:tag"]);
    expect(await countMatchingRuns(db, mine.tenant.id, "cancel", { tags: ["shared:tag"] })).toBe(1);
    const { operation } = await startCancel(mine, { tags: ["shared:tag"] });
    const { dispatcher } = mine;
    // Their tenant id with my operation processes nothing.
    expect(
      await processBulkBatch(
        { db, dispatcher },
        { operationId: operation.id, tenantId: theirs.tenant.id },
      ),
    ).toEqual({ finished: true });
    await drain({ dispatcher }, { operationId: operation.id, tenantId: mine.tenant.id }, 10);
    const statuses = await statusesOf([...myRuns, ...theirRuns]);
    expect(statuses.get(myRuns[0]!)).toBe("cancelled");
    expect(theirRuns.map((id) => statuses.get(id))).toEqual(["queued", "running"]);
    await expect(getBulkOperation(db, theirs.tenant.id, operation.id)).rejects.toThrow(
      BulkOperationNotFoundError,
    );
    await expect(cancelBulkOperation(db, actorOf(theirs), operation.id, audit)).rejects.toThrow(
      BulkOperationNotFoundError,
    );
  });

  it("refuses a filter with nothing to cancel and writes nothing", async () => {
    const w = await world();
    await runs(w, ["complete"]);
    const { sent } = w;
    const before = await fingerprintTables(db);
    for (const filters of [{ status: ["complete" as const] }, { skillId: w.skill.id }])
      await expect(startCancel(w, filters)).rejects.toThrow(BulkRequestInvalidError);
    expect(await fingerprintTables(db)).toEqual(before);
    expect(sent).toEqual([]);
  });
});

describe("bulk re-run by filter", () => {
  it("re-runs every matching run once with the overrides merged over its inputs", async () => {
    const w = await world();
    const originals = await runs(w, ["complete", "failed", "complete"], ["rerun:me"]);
    const { sent, dispatcher } = w;
    const { operation } = await startRerun(
      w,
      { skillId: w.skill.id, tags: ["rerun:me"] },
      { depth: 5 },
    );
    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    for (;;) {
      const results = await Promise.all([
        processBulkBatch({ db, dispatcher }, ref, 2),
        processBulkBatch({ db, dispatcher }, ref, 2),
      ]);
      if (results.every((result) => result.finished)) break;
    }
    const reruns = await db
      .select({
        parentRunId: skillRuns.parentRunId,
        inputs: skillRuns.inputs,
        source: skillRuns.source,
        tags: skillRuns.tags,
        invokerUserId: skillRuns.invokerUserId,
      })
      .from(skillRuns)
      .where(and(eq(skillRuns.tenantId, w.tenant.id), eq(skillRuns.source, "rerun")));
    expect(reruns.map((run) => run.parentRunId).sort()).toEqual([...originals].sort());
    for (const run of reruns) {
      const index = originals.indexOf(run.parentRunId!);
      expect(run).toMatchObject({
        inputs: { topic: `topic ${index}`, depth: 5 },
        tags: ["rerun:me"],
        invokerUserId: w.userId,
      });
    }
    expect(sent.filter((event) => event.name === "skill/run.requested")).toHaveLength(3);
    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({
      status: "completed",
      total: 3,
      done: 3,
      skipped: 0,
      failed: 0,
    });
  });

  it("re-runs only runs that had ended at the click: a run that ends later is not touched", async () => {
    const w = await world();
    const [endedBefore, runningAtClick] = await runs(w, ["complete", "running"]);
    const { dispatcher } = w;
    const { operation } = await startRerun(w, { skillId: w.skill.id });
    expect(operation.total).toBe(1);
    // The running run fails after the click: it now matches the filter, but was not confirmed.
    await db
      .update(skillRuns)
      .set({ status: "failed", finishedAt: new Date(operation.frozenAt.getTime() + 5) })
      .where(eq(skillRuns.id, runningAtClick!));
    await drain({ dispatcher }, { operationId: operation.id, tenantId: w.tenant.id }, 10);
    const reruns = await db
      .select({ parentRunId: skillRuns.parentRunId })
      .from(skillRuns)
      .where(and(eq(skillRuns.tenantId, w.tenant.id), eq(skillRuns.source, "rerun")));
    expect(reruns).toEqual([{ parentRunId: endedBefore }]);
    const finished = await getBulkOperation(db, w.tenant.id, operation.id);
    expect(finished).toMatchObject({ status: "completed", total: 1, done: 1, skipped: 0 });
  });

  it("keeps why re-runs failed, by code and the first message, on the row and in the finish entry", async () => {
    const w = await world();
    const [good, broken] = await runs(w, ["complete", "failed"]);
    // The skill's inputs now require a topic this run never had: its re-run is refused.
    await db
      .update(skillRuns)
      .set({ inputs: { depth: 2 } })
      .where(eq(skillRuns.id, broken!));
    const { dispatcher } = w;
    const { operation } = await startRerun(w, { skillId: w.skill.id });
    await drain({ dispatcher }, { operationId: operation.id, tenantId: w.tenant.id }, 10);
    const finished = await getBulkOperation(db, w.tenant.id, operation.id);
    expect(finished).toMatchObject({
      status: "completed",
      done: 1,
      failed: 1,
      failureCounts: { inputs_invalid: 1 },
    });
    expect(finished.firstFailure).toMatch(/topic/i);
    expect(good).toBeDefined();
    const [entry] = await db
      .select({ metadata: auditLog.metadata })
      .from(auditLog)
      .where(
        and(eq(auditLog.targetId, operation.id), eq(auditLog.action, "bulk_operation.finish")),
      );
    expect(entry?.metadata).toMatchObject({
      failed: 1,
      failureCounts: { inputs_invalid: 1 },
      firstFailure: finished.firstFailure,
    });
  });

  it("re-runs at most 100 runs per batch (each batch holds the tenant's budget lock)", async () => {
    const w = await world();
    await runs(w, Array<RunStatus>(120).fill("complete"));
    const { dispatcher } = w;
    const { operation } = await startRerun(w, { skillId: w.skill.id });
    const ref = { operationId: operation.id, tenantId: w.tenant.id };
    expect(await processBulkBatch({ db, dispatcher }, ref)).toEqual({ finished: false });
    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({ done: 100 });
    expect(await processBulkBatch({ db, dispatcher }, ref)).toEqual({ finished: true });
    expect(await getBulkOperation(db, w.tenant.id, operation.id)).toMatchObject({
      status: "completed",
      done: 120,
    });
  });

  it("refuses overrides the skill's inputs schema does not accept, before writing anything", async () => {
    const w = await world();
    await runs(w, ["complete"]);
    const { sent, dispatcher } = w;
    const before = await fingerprintTables(db);
    const ofSkill = { skillId: w.skill.id };
    await expect(startRerun(w, ofSkill, { depth: "deep" })).rejects.toThrow(InputsInvalidError);
    await expect(startRerun(w, ofSkill, { depth: 0 })).rejects.toThrow(InputsInvalidError);
    await expect(startRerun(w, ofSkill, { colour: "blue" })).rejects.toThrow(
      /not an input of this skill/,
    );
    await expect(startRerun(w, {}, { depth: 3 })).rejects.toThrow(/filtered to one skill/);
    await expect(startRerun(w, { skillId: randomUUID() }, { depth: 3 })).rejects.toThrow(
      /skill was not found/,
    );
    const cancelWithOverrides = startBulkOperation(
      { db, dispatcher },
      actorOf(w),
      {
        kind: "cancel",
        filters: ofSkill,
        inputOverrides: { depth: 3 },
        idempotencyKey: randomUUID(),
        confirmedTotal: 1_000,
      },
      audit,
    );
    await expect(cancelWithOverrides).rejects.toThrow(/Only a re-run takes input overrides/);
    expect(await fingerprintTables(db)).toEqual(before);
    expect(sent).toEqual([]);
  });
});

describe("bulk operation input and progress", () => {
  it("refuses input overrides over 64 KiB of JSON with a clear error", () => {
    const base = { kind: "rerun", filters: {}, idempotencyKey: "k", confirmedTotal: 1 };
    const big = { notes: "x".repeat(MAX_OVERRIDES_CHARS) };
    const refused = startBulkOperationInput.safeParse({ ...base, inputOverrides: big });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/limited to 64 KiB/);
    expect(
      startBulkOperationInput.safeParse({ ...base, inputOverrides: { notes: "x" } }).success,
    ).toBe(true);
  });

  it("polls the progress panel's columns only, not filters or overrides", async () => {
    const w = await world();
    await runs(w, ["complete"]);
    await startRerun(w, { skillId: w.skill.id }, { depth: 4 });
    const [recent] = await listRecentBulkOperations(db, w.tenant.id);
    expect(Object.keys(recent!).sort()).toEqual(
      [
        "id",
        "kind",
        "status",
        "total",
        "done",
        "skipped",
        "failed",
        "error",
        "failureCounts",
        "firstFailure",
        "finishedAt",
      ].sort(),
    );
  });
});
