import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, count, eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { runEvents, skillRuns, skills } from "@/server/db/schema";
import { createTenant, createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import {
  DispatchFailedError,
  IdempotencyKeyReusedError,
  InputsInvalidError,
  NoDefaultAgentError,
  RunNotCancellableError,
  RunNotFoundError,
  SkillNotFoundError,
} from "./run-errors";
import { ZERO_USAGE } from "@/server/agent/usage";
import { recordUsage } from "./run-lifecycle";
import { CANCELLED_USAGE_GRACE_MS, getRun } from "./run-queries";
import { RUN_CANCEL_REQUESTED, RUN_REQUESTED } from "@/inngest/events";
import { cancelRun, createRuns, rerunRun, startRun, type RunServiceDeps } from "./runs";
import { slotIdempotencyKey } from "@/server/services/schedules/schedule-firing";

const { db } = openTestDatabase();

let engine: Engine;
let deps: RunServiceDeps;
beforeAll(async () => {
  // The real embedded engine receives the events; no function is registered, so runs stay queued.
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  deps = { db, dispatcher: new Inngest({ id: "runs-test", isDev: true, baseUrl: engine.url }) };
});
afterAll(async () => {
  await engine.close();
});

const SCHEMA = {
  type: "object" as const,
  required: ["topic"],
  properties: {
    topic: { type: "string", title: "Topic", minLength: 3 },
    depth: { type: "string", title: "Depth", enum: ["brief", "deep"], default: "brief" },
    count: { type: "integer", title: "Count", minimum: 1 },
  },
};

const tenantWithSkill = (options: { defaultAgent?: boolean; agentHasSkill?: boolean } = {}) =>
  createTenantWithSkill(db, { inputsSchema: SCHEMA, ...options });

const runCount = async (tenantId: string) =>
  (await db.select({ value: count() }).from(skillRuns).where(eq(skillRuns.tenantId, tenantId)))[0]
    ?.value;
const timeline = (runId: string) =>
  db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(asc(runEvents.id));

describe("startRun", () => {
  it("creates a queued run with defaults applied, a first timeline event, and dispatches it with the run id as event id", async () => {
    const { tenant, skill, agent } = await tenantWithSkill();
    const user = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const { run, created } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { slug: skill.slug },
      inputs: { topic: "Quarterly review" },
      source: "manual",
      invoker: { userId: user.id },
    });
    expect(created).toBe(true);
    const [row] = await db.select().from(skillRuns).where(eq(skillRuns.id, run.id));
    expect(row).toMatchObject({
      status: "queued",
      agentId: agent.id,
      source: "manual",
      invokerUserId: user.id,
      skillVersion: "v1",
      inputs: { topic: "Quarterly review", depth: "brief" },
    });
    expect((await timeline(run.id)).map((event) => event.type)).toEqual(["queued"]);

    const sent = await db.execute<{ payload: Record<string, unknown> }>(
      sql`select payload from inngest_engine.events where name = ${RUN_REQUESTED} and payload -> 'data' ->> 'runId' = ${run.id}`,
    );
    expect(sent.map((event) => event.payload)).toEqual([
      expect.objectContaining({
        name: RUN_REQUESTED,
        id: run.id,
        data: { runId: run.id, tenantId: tenant.id, source: "manual" },
      }),
    ]);
  });

  it("refuses invalid inputs with an error per field and writes nothing", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const error = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { depth: "huge", count: 0 },
      source: "manual",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputsInvalidError);
    expect((error as InputsInvalidError).fieldErrors).toEqual({
      topic: ["is required"],
      depth: ['must be one of: "brief", "deep"'],
      count: ["must be ≥ 1"],
    });
    expect(await runCount(tenant.id)).toBe(0);
  });

  it("refuses inputs the skill does not declare, on a start and on a rerun of a run stored with one", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const error = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc", extra: "x", "to\u0000pic": 1 },
      source: "manual",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputsInvalidError);
    expect((error as InputsInvalidError).fieldErrors).toEqual({
      extra: ["is not an input of this skill"],
      "to\u0000pic": ["is not an input of this skill"],
    });
    expect(await runCount(tenant.id)).toBe(0);

    // A run stored before undeclared inputs were refused: its rerun is validated like any start.
    const { run } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc" },
      source: "manual",
    });
    await db
      .update(skillRuns)
      .set({ inputs: { topic: "abc", extra: "x" } })
      .where(eq(skillRuns.id, run.id));
    await expect(rerunRun(deps, { tenantId: tenant.id, runId: run.id })).rejects.toBeInstanceOf(
      InputsInvalidError,
    );
    expect(await runCount(tenant.id)).toBe(1);
  });

  it("refuses a string PostgreSQL cannot store (U+0000, an unpaired surrogate) as an invalid input, not a database error", async () => {
    const { tenant, skill } = await tenantWithSkill();
    for (const topic of ["nul \u0000 here", "half \ud800 pair"]) {
      const error = await startRun(deps, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: { topic },
        source: "manual",
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputsInvalidError);
      expect((error as InputsInvalidError).fieldErrors).toEqual({
        topic: [expect.stringContaining("cannot be stored")],
      });
    }
    expect(await runCount(tenant.id)).toBe(0);
  });

  it("treats another tenant's private skill, a disabled skill and an unknown slug as not found", async () => {
    const mine = await tenantWithSkill();
    const theirs = await tenantWithSkill();
    const disabled = await tenantWithSkill();
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, disabled.skill.id));
    const start = (tenantId: string, slug: string) =>
      startRun(deps, { tenantId, skill: { slug }, inputs: { topic: "abc" }, source: "manual" });
    await expect(start(mine.tenant.id, theirs.skill.slug)).rejects.toBeInstanceOf(
      SkillNotFoundError,
    );
    await expect(start(disabled.tenant.id, disabled.skill.slug)).rejects.toBeInstanceOf(
      SkillNotFoundError,
    );
    await expect(start(mine.tenant.id, "no-such-skill")).rejects.toBeInstanceOf(SkillNotFoundError);
    expect(await runCount(mine.tenant.id)).toBe(0);
  });

  it("treats another tenant's agent exactly like an unknown one", async () => {
    const mine = await tenantWithSkill();
    const theirs = await tenantWithSkill();
    const start = (agentId: string) =>
      startRun(deps, {
        tenantId: mine.tenant.id,
        skill: { id: mine.skill.id },
        agentId,
        inputs: { topic: "abc" },
        source: "api",
      });
    const foreign = await start(theirs.agent.id).catch((caught: unknown) => caught as Error);
    const unknown = await start(randomUUID()).catch((caught: unknown) => caught as Error);
    expect(foreign).toBeInstanceOf(AgentNotFoundError);
    expect(unknown).toBeInstanceOf(AgentNotFoundError);
    expect(await runCount(mine.tenant.id)).toBe(0);
  });

  it("without a default agent: an interactive start is refused, an unattended one becomes a visible no_agent failure", async () => {
    const { tenant, skill } = await tenantWithSkill({ defaultAgent: false, agentHasSkill: false });
    await expect(
      startRun(deps, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: { topic: "abc" },
        source: "manual",
      }),
    ).rejects.toBeInstanceOf(NoDefaultAgentError);
    expect(await runCount(tenant.id)).toBe(0);

    const { run } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc" },
      source: "webhook",
    });
    expect(run).toMatchObject({ status: "failed", failureCode: "no_agent" });
    expect((await timeline(run.id)).map((event) => event.type)).toEqual(["queued", "failed"]);
  });

  it("returns the same run for 20 concurrent starts with one idempotency key", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const key = `key-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        startRun(deps, {
          tenantId: tenant.id,
          skill: { id: skill.id },
          inputs: { topic: "same" },
          source: "api",
          idempotencyKey: key,
        }),
      ),
    );
    expect(new Set(results.map((result) => result.run.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await runCount(tenant.id)).toBe(1);

    // A later retry of the same request gets the original run even if it no longer validates.
    await db
      .update(skills)
      .set({ inputsSchema: { ...SCHEMA, required: ["topic", "count"] }, versionHash: "v2" })
      .where(eq(skills.id, skill.id));
    const retry = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "same" },
      source: "api",
      idempotencyKey: key,
    });
    expect(retry).toMatchObject({ created: false, run: { id: results[0]?.run.id } });
  });

  it("refuses the same idempotency key with another skill, agent or inputs, naming the run it started; key order does not count", async () => {
    const { tenant, skill, agent } = await tenantWithSkill();
    const other = await createTenantWithSkill(db, { inputsSchema: SCHEMA });
    const start = (overrides: Partial<Parameters<typeof startRun>[1]>) =>
      startRun(deps, {
        tenantId: tenant.id,
        skill: { slug: skill.slug },
        inputs: { topic: "Roadmap", count: 2 },
        source: "api",
        idempotencyKey: "same-key",
        ...overrides,
      });
    const { run } = await start({});
    expect(await start({ inputs: { count: 2, topic: "Roadmap" } })).toMatchObject({
      created: false,
      run: { id: run.id },
    });
    for (const changed of [
      { inputs: { topic: "Roadmap", count: 3 } },
      { inputs: { topic: "Roadmap" } },
      { agentId: agent.id },
      { skill: { slug: other.skill.slug } },
    ]) {
      const refusal = await start(changed).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(IdempotencyKeyReusedError);
      expect((refusal as Error).message).toContain(run.id);
    }
    expect(await runCount(tenant.id)).toBe(1);
  });

  it("answers any repeat of a key stored before requests were recorded with its run, as it did then", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const { run } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "Before" },
      source: "manual",
      idempotencyKey: "legacy",
    });
    await db
      .update(skillRuns)
      .set({ idempotencyRequestHash: null })
      .where(eq(skillRuns.id, run.id));
    const repeat = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "After" },
      source: "manual",
      idempotencyKey: "legacy",
    });
    expect(repeat).toMatchObject({ created: false, run: { id: run.id } });
  });

  it("keeps each source's keys apart: an operator's key cannot take a schedule's slot or a REST client's key", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const slotKey = slotIdempotencyKey(randomUUID(), new Date("2030-01-01T09:00:00.000Z"));
    const manual = (key: string) =>
      startRun(deps, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: { topic: "Taken" },
        source: "manual",
        idempotencyKey: key,
      });
    const squatted = await manual(slotKey);
    const restSquatted = await manual("api:order-7");

    const [slot] = await createRuns(db, [
      {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: { topic: "Scheduled" },
        source: "schedule",
        idempotencyKey: slotKey,
      },
    ]);
    expect(slot).toMatchObject({ created: true });
    expect(slot && "run" in slot && slot.run.id).not.toBe(squatted.run.id);
    const rest = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "From REST" },
      source: "api",
      idempotencyKey: "api:order-7",
    });
    expect(rest.created).toBe(true);
    expect(rest.run.id).not.toBe(restSquatted.run.id);
    // Each is still its own source's run on a repeat.
    expect(await manual(slotKey)).toMatchObject({ created: false, run: { id: squatted.run.id } });
    expect(await runCount(tenant.id)).toBe(4);
  });

  it("marks the run dispatch_failed and says so when the event cannot be sent", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const unreachable: RunServiceDeps = {
      db,
      dispatcher: new Inngest({ id: "down", isDev: true, baseUrl: "http://127.0.0.1:9" }),
    };
    const error = await startRun(unreachable, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc" },
      source: "manual",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DispatchFailedError);
    const [row] = await db
      .select()
      .from(skillRuns)
      .where(eq(skillRuns.id, (error as DispatchFailedError).runId));
    expect(row).toMatchObject({ status: "failed", failureCode: "dispatch_failed" });
    expect(row?.failureReason).toMatch(/could not be dispatched/);
    expect((await timeline(row!.id)).map((event) => event.type)).toEqual(["queued", "failed"]);
  }, 30_000);
});

describe("dispatch while the engine cannot store events", () => {
  it("sends again with the same event id after the engine's 5xx answers, and the run stays queued", async () => {
    const { tenant, skill } = await tenantWithSkill();
    // An engine whose store is down for the SDK's five attempts of the first send, then back.
    const received: { id?: string }[][] = [];
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push(JSON.parse(body) as { id?: string }[]);
        const storeDown = received.length <= 5;
        response.writeHead(storeDown ? 500 : 200, { "content-type": "application/json" });
        response.end(
          JSON.stringify(
            storeDown
              ? { error: "write CONNECTION_CLOSED 127.0.0.1:5432", status: 500 }
              : { ids: ["stored"], status: 200 },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const flaky: RunServiceDeps = {
        db,
        dispatcher: new Inngest({ id: "flaky", isDev: true, baseUrl: `http://127.0.0.1:${port}` }),
      };
      const { run } = await startRun(flaky, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: { topic: "abc" },
        source: "manual",
      });
      expect(run.status).toBe("queued");
      expect((await db.select().from(skillRuns).where(eq(skillRuns.id, run.id)))[0]).toMatchObject({
        status: "queued",
        failureCode: null,
      });
      expect(received.length).toBeGreaterThan(5);
      expect(new Set(received.flat().map((event) => event.id))).toEqual(new Set([run.id]));
    } finally {
      server.close();
    }
  }, 30_000);
});

describe("cancelRun", () => {
  it("cancels a queued run once, records who, and sends the cancel event; a second cancel is a conflict naming the status", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const user = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const { run } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc" },
      source: "manual",
    });
    await cancelRun(deps, { tenantId: tenant.id, runId: run.id, userId: user.id });

    const [row] = await db.select().from(skillRuns).where(eq(skillRuns.id, run.id));
    expect(row).toMatchObject({ status: "cancelled", cancelledByUserId: user.id });
    expect(row?.cancelRequestedAt).toBeInstanceOf(Date);
    expect((await timeline(run.id)).map((event) => event.type)).toEqual(["queued", "cancelled"]);
    // The engine stored the cancel event (its own schema lives in the same test database).
    const cancelEvents = await db.execute<{ payload: { data: { runId: string } } }>(
      sql`select payload from inngest_engine.events where name = ${RUN_CANCEL_REQUESTED} and payload -> 'data' ->> 'runId' = ${run.id}`,
    );
    expect(cancelEvents).toHaveLength(1);

    const second = await cancelRun(deps, { tenantId: tenant.id, runId: run.id }).catch(
      (caught: unknown) => caught,
    );
    expect(second).toBeInstanceOf(RunNotCancellableError);
    expect((second as Error).message).toMatch(/already cancelled/);
  });

  it("does not find another tenant's run", async () => {
    const mine = await tenantWithSkill();
    const theirs = await tenantWithSkill();
    const { run } = await startRun(deps, {
      tenantId: theirs.tenant.id,
      skill: { id: theirs.skill.id },
      inputs: { topic: "abc" },
      source: "manual",
    });
    await expect(
      cancelRun(deps, { tenantId: mine.tenant.id, runId: run.id }),
    ).rejects.toBeInstanceOf(RunNotFoundError);
    const [row] = await db
      .select({ status: skillRuns.status })
      .from(skillRuns)
      .where(eq(skillRuns.id, run.id));
    expect(row?.status).toBe("queued");
  });
});

describe("rerunRun", () => {
  it("starts a linked rerun with edited inputs validated against the current version, and reports a changed skill", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const { run: original } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "first" },
      source: "manual",
    });

    const same = await rerunRun(deps, { tenantId: tenant.id, runId: original.id });
    expect(same.skillChangedSinceOriginal).toBe(false);
    const [sameRow] = await db.select().from(skillRuns).where(eq(skillRuns.id, same.run.id));
    expect(sameRow).toMatchObject({
      source: "rerun",
      parentRunId: original.id,
      inputs: { topic: "first", depth: "brief" },
    });

    await db.update(skills).set({ versionHash: "v2" }).where(eq(skills.id, skill.id));
    const edited = await rerunRun(deps, {
      tenantId: tenant.id,
      runId: original.id,
      inputs: { topic: "second", depth: "deep" },
    });
    expect(edited.skillChangedSinceOriginal).toBe(true);
    const [editedRow] = await db.select().from(skillRuns).where(eq(skillRuns.id, edited.run.id));
    expect(editedRow).toMatchObject({
      skillVersion: "v2",
      inputs: { topic: "second", depth: "deep" },
    });

    await expect(
      rerunRun(deps, { tenantId: tenant.id, runId: original.id, inputs: { topic: "x" } }),
    ).rejects.toBeInstanceOf(InputsInvalidError);
    const other = await createTenant(db);
    await expect(rerunRun(deps, { tenantId: other.id, runId: original.id })).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
  });
});

describe("getRun after a cancel", () => {
  it("reports the usage as pending until the interrupted turn records it, for a bounded time", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const ref = {
      tenantId: tenant.id,
      runId: (
        await startRun(deps, {
          tenantId: tenant.id,
          skill: { id: skill.id },
          inputs: { topic: "abc" },
          source: "manual",
        })
      ).run.id,
    };
    await db
      .update(skillRuns)
      .set({ status: "running", turnStartedAt: new Date() })
      .where(eq(skillRuns.id, ref.runId));
    expect((await getRun(db, tenant.id, ref.runId))?.usagePending).toBe(false);

    await cancelRun(deps, ref);
    const cancelled = await getRun(db, tenant.id, ref.runId);
    expect(cancelled).toMatchObject({ status: "cancelled", inputTokens: null, usagePending: true });
    expect(
      (
        await getRun(
          db,
          tenant.id,
          ref.runId,
          cancelled!.finishedAt!.getTime() + CANCELLED_USAGE_GRACE_MS,
        )
      )?.usagePending,
    ).toBe(false);

    await recordUsage(db, ref, { ...ZERO_USAGE, inputTokens: 400, outputTokens: 25 });
    expect(await getRun(db, tenant.id, ref.runId)).toMatchObject({
      inputTokens: 400,
      outputTokens: 25,
      usagePending: false,
    });
  });

  it("has nothing pending for a run cancelled before its turn started", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const { run } = await startRun(deps, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: { topic: "abc" },
      source: "manual",
    });
    await cancelRun(deps, { tenantId: tenant.id, runId: run.id });
    expect(await getRun(db, tenant.id, run.id)).toMatchObject({
      status: "cancelled",
      usagePending: false,
    });
  });
});
