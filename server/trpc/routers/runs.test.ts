import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import type { MemberRole } from "@/server/db/schema/enums";
import { skillRuns } from "@/server/db/schema";
import { compileSkillInputs } from "@/lib/skill-inputs";
import { type InputsInvalidError } from "@/server/services/runs/run-errors";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

let engine: Engine;
let dispatcher: Inngest;
beforeAll(async () => {
  // Events reach the real embedded engine; no function is registered, so runs stay queued.
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "router-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

const tenantWithSkill = () =>
  createTenantWithSkill(db, {
    inputsSchema: {
      type: "object",
      required: ["topic"],
      properties: { topic: { type: "string", title: "Topic" } },
    },
    referenceFiles: [{ path: "references/a.md", content: "A" }],
  });

async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  return callerFor(db, auth, await signIn(auth, user.email), dispatcher);
}

async function codeOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCError ? error.code : error;
}

describe("runs router", () => {
  it("lets an operator start, read and cancel a run, and shows its timeline", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const { runId, created } = await operator.runs.start({
      skillSlug: skill.slug,
      inputs: { topic: "x" },
    });
    expect(created).toBe(true);
    expect(await operator.runs.get({ runId })).toMatchObject({
      id: runId,
      status: "queued",
      cancellable: true,
      skillChanged: false,
      skill: { slug: skill.slug },
    });
    expect((await operator.runs.events({ runId })).map((event) => event.type)).toEqual(["queued"]);

    await operator.runs.cancel({ runId });
    expect(await operator.runs.get({ runId })).toMatchObject({
      status: "cancelled",
      cancellable: false,
    });
    expect(await codeOf(operator.runs.cancel({ runId }))).toBe("CONFLICT");
  });

  it("refuses invalid inputs with field errors and creates nothing", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const error = await operator.runs
      .start({ skillSlug: skill.slug, inputs: { topic: 7 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect(((error as TRPCError).cause as InputsInvalidError).fieldErrors).toEqual({
      topic: ["must be a string"],
    });
    expect((await operator.runs.list({})).runs).toHaveLength(0);
  });

  it("refuses with exactly the messages the browser's form shows (one validator, lib/skill-inputs)", async () => {
    const inputsSchema = {
      type: "object" as const,
      required: ["version", "ticket"],
      properties: {
        version: {
          type: "string",
          title: "Version",
          pattern: "^\\d+\\.\\d+\\.\\d+$",
          "x-skillrun-error": "Use a version like 2.4.0",
        },
        ticket: { type: "string", title: "Ticket", pattern: "^[A-Z]+-\\d+$" },
      },
    };
    const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema });
    const operator = await member(tenant.id, "operator");
    const inputs = { version: "soon", ticket: "abc" };
    const error = await operator.runs
      .start({ skillSlug: skill.slug, inputs })
      .catch((caught: unknown) => caught);
    const fieldErrors = ((error as TRPCError).cause as InputsInvalidError).fieldErrors;
    const browser = compileSkillInputs(inputsSchema)(inputs);
    expect(browser.valid ? null : browser.fieldErrors).toEqual(fieldErrors);
    expect(fieldErrors).toEqual({
      version: ["Use a version like 2.4.0"],
      ticket: ["Doesn't match the expected format for Ticket"],
    });
    expect((error as TRPCError).message).toBe(
      "The inputs do not match the skill's schema: version: Use a version like 2.4.0; ticket: Doesn't match the expected format for Ticket.",
    );
  });

  it("lets a viewer read but not start, cancel or re-run", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const viewer = await member(tenant.id, "viewer");
    const { runId } = await operator.runs.start({ skillSlug: skill.slug, inputs: { topic: "x" } });
    expect(await codeOf(viewer.runs.start({ skillSlug: skill.slug, inputs: { topic: "x" } }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(viewer.runs.cancel({ runId }))).toBe("FORBIDDEN");
    expect(await codeOf(viewer.runs.rerun({ runId }))).toBe("FORBIDDEN");
    expect((await viewer.runs.get({ runId })).id).toBe(runId);
  });

  it("answers another tenant's run, skill and agent exactly like unknown ones", async () => {
    const mine = await tenantWithSkill();
    const theirs = await tenantWithSkill();
    const owner = await member(mine.tenant.id, "owner");
    const theirOperator = await member(theirs.tenant.id, "operator");
    const { runId } = await theirOperator.runs.start({
      skillSlug: theirs.skill.slug,
      inputs: { topic: "x" },
    });

    for (const id of [runId, randomUUID()]) {
      expect(await codeOf(owner.runs.get({ runId: id }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.runs.events({ runId: id }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.runs.cancel({ runId: id }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.runs.rerun({ runId: id }))).toBe("NOT_FOUND");
    }
    expect(
      await codeOf(owner.runs.start({ skillSlug: theirs.skill.slug, inputs: { topic: "x" } })),
    ).toBe("NOT_FOUND");
    expect(
      await codeOf(
        owner.runs.start({
          skillSlug: mine.skill.slug,
          agentId: theirs.agent.id,
          inputs: { topic: "x" },
        }),
      ),
    ).toBe("NOT_FOUND");
    expect(await codeOf(owner.agents.effectiveConfig({ agentId: theirs.agent.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(owner.agents.get({ agentId: theirs.agent.id }))).toBe("NOT_FOUND");
    expect(await codeOf(owner.skills.get({ slug: theirs.skill.slug }))).toBe("NOT_FOUND");
    expect((await owner.runs.list({})).runs).toHaveLength(0);
  });

  it("answers a start without a default agent, a reused idempotency key and a start that could not be dispatched with their codes", async () => {
    const noDefault = await createTenantWithSkill(db, {
      defaultAgent: false,
      agentHasSkill: false,
    });
    const operator = await member(noDefault.tenant.id, "operator");
    expect(await codeOf(operator.runs.start({ skillSlug: noDefault.skill.slug, inputs: {} }))).toBe(
      "PRECONDITION_FAILED",
    );

    const { tenant, skill } = await tenantWithSkill();
    const starter = await member(tenant.id, "operator");
    const start = (topic: string) =>
      starter.runs.start({ skillSlug: skill.slug, inputs: { topic }, idempotencyKey: "k-1" });
    await start("x");
    expect(await codeOf(start("y"))).toBe("UNPROCESSABLE_CONTENT");

    // The fixture's dispatcher sends events nowhere: the run is created, then failed, visibly.
    const user = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const undispatched = await callerFor(db, auth, await signIn(auth, user.email));
    expect(
      await codeOf(undispatched.runs.start({ skillSlug: skill.slug, inputs: { topic: "z" } })),
    ).toBe("SERVICE_UNAVAILABLE");
  });

  it("pages the history newest first with a keyset cursor, and filters", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const started: string[] = [];
    for (let index = 0; index < 5; index++)
      started.push(
        (await operator.runs.start({ skillSlug: skill.slug, inputs: { topic: `t${index}` } }))
          .runId,
      );
    await operator.runs.cancel({ runId: started[0]! });

    const seen: string[] = [];
    let cursor: { createdAt: Date; id: string } | null = null;
    do {
      const page: Awaited<ReturnType<typeof operator.runs.list>> = await operator.runs.list({
        limit: 2,
        cursor,
      });
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...started].reverse());
    expect((await operator.runs.list({ status: "cancelled" })).runs.map((run) => run.id)).toEqual([
      started[0],
    ]);
    const live = await operator.runs.list({ status: ["queued", "running"], limit: 2 });
    expect(live.runs.map((run) => run.id)).toEqual([started[4], started[3]]);
    expect(live.runs.map((run) => run.queue?.position)).toEqual([4, 3]);
    expect((await operator.runs.get({ runId: started[1]! })).queue).toEqual({
      running: 0,
      slots: 5,
      position: 1,
    });
    expect(await codeOf(operator.runs.list({ status: [] }))).toBe("BAD_REQUEST");
  });

  it("names the schedule, webhook and key a history is filtered by, for any member", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const owner = await member(tenant.id, "owner");
    const viewer = await member(tenant.id, "viewer");
    const webhook = await owner.webhooks.create({
      name: "Ticket inbox",
      skillId: skill.id,
      agentId: null,
      inputMapping: { topic: { pointer: "/subject" } },
      rateLimitPerMinute: 60,
      enabled: true,
    });
    const key = await owner.apiKeys.create({ name: "CI", role: "operator" });
    expect(await viewer.runs.sourceNames({ webhookId: webhook.id, apiKeyId: key.id })).toEqual({
      schedule: null,
      webhook: "Ticket inbox",
      apiKey: "CI",
    });
    expect(await viewer.runs.list({ webhookId: webhook.id })).toMatchObject({ runs: [] });
  });

  it("pages through runs created within the same millisecond without skipping any", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const started: string[] = [];
    for (let index = 0; index < 4; index++)
      started.push(
        (await operator.runs.start({ skillSlug: skill.slug, inputs: { topic: `t${index}` } }))
          .runId,
      );
    // Sub-millisecond differences, as concurrent inserts produce.
    await db.execute(
      sql`update skill_runs set created_at = '2026-11-24T09:00:00.123Z'::timestamptz + (random() * interval '0.9 milliseconds') where tenant_id = ${tenant.id}`,
    );
    const seen: string[] = [];
    let cursor: { createdAt: Date; id: string } | null = null;
    do {
      const page: Awaited<ReturnType<typeof operator.runs.list>> = await operator.runs.list({
        limit: 1,
        cursor,
      });
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...started].sort());
  });

  it("says who started each run and summarises inputs without carrying them whole", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    await operator.runs.start({
      skillSlug: skill.slug,
      inputs: { topic: `long ${"x".repeat(500)}` },
    });
    const [run] = (await operator.runs.list({})).runs;
    expect(run?.invoker).toMatchObject({
      userName: expect.any(String),
      scheduleName: null,
      webhookName: null,
      apiKeyName: null,
    });
    // topic is the first required text input, so it names the run; nothing else is left to summarise.
    expect(run?.inputsTitle).toBe(`long ${"x".repeat(74)}…`);
    expect(run?.inputsSummary).toBe("");
    expect(run).not.toHaveProperty("inputs");
  });

  it("re-runs with edited inputs as a linked run", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const operator = await member(tenant.id, "operator");
    const { runId } = await operator.runs.start({
      skillSlug: skill.slug,
      inputs: { topic: "first" },
    });
    const rerun = await operator.runs.rerun({ runId, inputs: { topic: "second" } });
    expect(rerun.skillChangedSinceOriginal).toBe(false);
    expect(await operator.runs.get({ runId: rerun.runId })).toMatchObject({
      source: "rerun",
      parentRunId: runId,
      inputs: { topic: "second" },
    });
  });
});

describe("agents and skills routers", () => {
  it("lists agents with their model and whether it is configured here, and reads a skill", async () => {
    const { tenant, agent, skill } = await tenantWithSkill();
    const viewer = await member(tenant.id, "viewer");
    expect(await viewer.agents.list()).toEqual([
      expect.objectContaining({
        id: agent.id,
        model: "openai:gpt-4.1-mini",
        configured: false,
        missingSettings: ["OPENAI_API_KEY"],
        isDefault: true,
      }),
    ]);
    expect(await viewer.agents.effectiveConfig({ agentId: agent.id })).toMatchObject({
      agent: { id: agent.id },
      model: "openai:gpt-4.1-mini",
    });
    expect(await viewer.skills.get({ slug: skill.slug })).toMatchObject({
      slug: skill.slug,
      referenceFiles: ["references/a.md"],
    });
  });
});

describe("runs router: config snapshots", () => {
  it("shows a run's MCP server URLs as scheme, host and port only, also in snapshots stored with the whole URL", async () => {
    const { tenant, skill } = await tenantWithSkill();
    const viewer = await member(tenant.id, "viewer");
    const [run] = await db
      .insert(skillRuns)
      .values({
        tenantId: tenant.id,
        skillId: skill.id,
        skillVersion: skill.versionHash,
        source: "manual",
        inputs: {},
        // Only the fields that matter here, as a snapshot of an earlier version could hold.
        configSnapshot: {
          model: "openai:gpt-4.1-mini",
          mcpServers: [
            {
              id: randomUUID(),
              name: "tickets",
              url: "https://mcp.example.com/s/path-secret/mcp?token=redacted",
            },
          ],
        } as AgentRuntimeConfig,
      })
      .returning({ id: skillRuns.id });
    const shown = await viewer.runs.get({ runId: run!.id });
    expect(shown.configSnapshot).toMatchObject({
      mcpServers: [{ name: "tickets", url: "https://mcp.example.com" }],
    });
    expect(JSON.stringify(shown)).not.toContain("path-secret");
  });
});
