import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RunStatus } from "@/lib/enums";
import {
  apiKeys,
  schedules,
  skillRuns,
  skills,
  webhooks,
  type SkillInputsSchema,
} from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { getRun, listRuns, runSourceNames } from "./run-queries";
import { queueStates } from "./run-queue";

const { db } = openTestDatabase();

/** Meeting prep as an operator meets it: the optional inputs sort before the required ones alphabetically. */
const QBR_SCHEMA: SkillInputsSchema = {
  type: "object",
  required: ["meetingDate", "topic"],
  properties: {
    attendees: { type: "array", title: "Attendees", items: { type: "string" } },
    durationMinutes: { type: "integer", title: "Duration" },
    topic: { type: "string", title: "Topic" },
    meetingDate: { type: "string", format: "date", title: "Meeting date" },
    goal: { type: "string", title: "Goal" },
  },
};

/** Runs of one skill, oldest first; returns the page newest first as the history shows it. */
async function listed(inputsSchema: SkillInputsSchema, runInputs: Record<string, unknown>[]) {
  const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema });
  for (const [index, inputs] of runInputs.entries()) {
    await db.insert(skillRuns).values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      source: "api",
      inputs,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
    });
  }
  const { runs } = await listRuns(db, tenant.id, { limit: 50 });
  return {
    runs: runs.map((run) => ({ title: run.inputsTitle, summary: run.inputsSummary })),
    skill,
  };
}

describe("how the history names a run", () => {
  it("summarises required inputs first, then the rest, each in declared order; unknown keys last, alphabetically", async () => {
    const schema: SkillInputsSchema = {
      ...QBR_SCHEMA,
      required: ["durationMinutes", "meetingDate"],
    };
    const { runs } = await listed(schema, [
      {
        zulu: "old",
        attendees: ["Ann", "Bob"],
        goal: "Renewal",
        meetingDate: "2026-01-12",
        topic: "Acme QBR",
        durationMinutes: 45,
        alpha: "older",
      },
    ]);
    // No x-skillrun-title and no required free-text input: no title, everything is in the summary.
    expect(runs).toEqual([
      {
        title: null,
        summary:
          "durationMinutes: 45 · meetingDate: 2026-01-12 · attendees: Ann, Bob · topic: Acme QBR · goal: Renewal · alpha: older · zulu: old",
      },
    ]);
  });

  it("leaves out empty values, which tell runs apart no more than a missing one", async () => {
    const { runs } = await listed({ ...QBR_SCHEMA, required: [] }, [
      {
        attendees: [],
        durationMinutes: 30,
        topic: "   ",
        meetingDate: null,
        goal: "",
        extra: {},
        urgent: false,
      },
    ]);
    expect(runs).toEqual([{ title: null, summary: "durationMinutes: 30 · urgent: false" }]);
  });

  it("shows the input x-skillrun-title names as the title, and the rest as the summary", async () => {
    const { runs } = await listed({ ...QBR_SCHEMA, "x-skillrun-title": "goal" }, [
      {
        attendees: [],
        durationMinutes: 30,
        topic: "Customer QBR",
        meetingDate: "2026-01-12",
        goal: "Agree the renewal",
      },
    ]);
    expect(runs).toEqual([
      {
        title: "Agree the renewal",
        summary: "topic: Customer QBR · meetingDate: 2026-01-12 · durationMinutes: 30",
      },
    ]);
  });

  it("tells apart seven runs that differ only in their first required text input, declared after the others", async () => {
    const runInputs = Array.from({ length: 7 }, (_, index) => ({
      attendees: [],
      durationMinutes: 30,
      meetingDate: "2026-01-12",
      topic: `Customer QBR #${index + 1}`,
    }));
    const { runs } = await listed(QBR_SCHEMA, runInputs);
    expect(runs.map((run) => run.title)).toEqual(runInputs.map((inputs) => inputs.topic).reverse());
    expect(runs[0]?.summary).toBe("meetingDate: 2026-01-12 · durationMinutes: 30");
  });

  it("puts a required input that differs at the start of the summary when there is no title", async () => {
    const schema: SkillInputsSchema = { ...QBR_SCHEMA, required: ["meetingDate"] };
    const { runs } = await listed(schema, [
      { attendees: ["Ann"], durationMinutes: 30, topic: "Same", meetingDate: "2026-01-12" },
      { attendees: ["Ann"], durationMinutes: 30, topic: "Same", meetingDate: "2026-02-09" },
    ]);
    // The history cuts the summary to one line; the difference must be inside it.
    expect(runs.map((run) => run.summary.slice(0, 25))).toEqual([
      "meetingDate: 2026-02-09 ·",
      "meetingDate: 2026-01-12 ·",
    ]);
  });

  it("cuts long values short on one line, so a page never carries whole documents", async () => {
    const { runs } = await listed(QBR_SCHEMA, [
      {
        topic: `Acme\n\n  renewal ${"x".repeat(500)}`,
        meetingDate: "2026-01-12",
        goal: `g${"y".repeat(500)}`,
      },
    ]);
    const [run] = runs;
    expect(run?.title).toBe(`Acme renewal ${"x".repeat(66)}…`);
    expect(run?.summary).toBe(`meetingDate: 2026-01-12 · goal: g${"y".repeat(58)}…`);
  });

  it("follows the skill's current schema (old versions' schemas are not kept)", async () => {
    const { runs: before, skill } = await listed(QBR_SCHEMA, [
      { topic: "Acme", meetingDate: "2026-01-12", goal: "Renewal" },
    ]);
    expect(before[0]?.title).toBe("Acme");
    await db
      .update(skills)
      .set({ summaryOrder: ["goal", "meetingDate", "topic"], titleInput: "goal" })
      .where(eq(skills.id, skill.id));
    const { runs: after } = await listRuns(db, skill.tenantId ?? "", { limit: 1 });
    expect(after.map((run) => [run.inputsTitle, run.inputsSummary])).toEqual([
      ["Renewal", "meetingDate: 2026-01-12 · topic: Acme"],
    ]);
  });
});

type Setup = Awaited<ReturnType<typeof createTenantWithSkill>>;
type RunValues = Partial<typeof skillRuns.$inferInsert>;

/** A run of the tenant's skill, created `minute` minutes into 2026; returns its id. */
async function runOf({ tenant, skill }: Setup, minute: number, values: RunValues = {}) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      source: "manual",
      inputs: {},
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
      ...values,
    })
    .returning({ id: skillRuns.id });
  return run?.id ?? "";
}

/** A schedule, a webhook and an API key of the tenant, each named after the tenant's name. */
async function sourcesOf({ tenant, skill }: Setup) {
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: tenant.id,
      name: `Nightly ${tenant.name}`,
      skillId: skill.id,
      cron: "0 2 * * *",
      timezone: "UTC",
    })
    .returning({ id: schedules.id });
  const [webhook] = await db
    .insert(webhooks)
    .values({
      tenantId: tenant.id,
      name: `Inbox ${tenant.name}`,
      skillId: skill.id,
      signingSecret: "secret",
    })
    .returning({ id: webhooks.id });
  const [apiKey] = await db
    .insert(apiKeys)
    .values({
      tenantId: tenant.id,
      name: `CI ${tenant.name}`,
      role: "operator",
      prefix: `srk_${tenant.id.slice(0, 8)}`,
      keyHash: `hash-${tenant.id}`,
    })
    .returning({ id: apiKeys.id });
  return {
    scheduleId: schedule?.id ?? "",
    webhookId: webhook?.id ?? "",
    apiKeyId: apiKey?.id ?? "",
  };
}

const idsOf = (page: { runs: { id: string }[] }) => page.runs.map((run) => run.id);

describe("filtering the history", () => {
  it("takes several statuses at once, newest first", async () => {
    const setup = await createTenantWithSkill(db);
    const statuses: RunStatus[] = [
      "queued",
      "running",
      "complete",
      "failed",
      "cancelled",
      "running",
    ];
    const ids = [];
    for (const [minute, status] of statuses.entries())
      ids.push(await runOf(setup, minute, { status }));
    const page = await listRuns(db, setup.tenant.id, {
      filters: { status: ["running", "queued"] },
      limit: 50,
    });
    expect(idsOf(page)).toEqual([ids[5], ids[1], ids[0]]);
    const one = await listRuns(db, setup.tenant.id, { filters: { status: ["failed"] }, limit: 50 });
    expect(idsOf(one)).toEqual([ids[3]]);
  });

  it("narrows to the runs one schedule, webhook or API key started, and to listed run ids", async () => {
    const setup = await createTenantWithSkill(db);
    const sources = await sourcesOf(setup);
    const manual = await runOf(setup, 0);
    const scheduled = await runOf(setup, 1, { source: "schedule", scheduleId: sources.scheduleId });
    const hooked = await runOf(setup, 2, { source: "webhook", webhookId: sources.webhookId });
    const keyed = await runOf(setup, 3, { source: "api", apiKeyId: sources.apiKeyId });
    const list = (filters: Parameters<typeof listRuns>[2]["filters"]) =>
      listRuns(db, setup.tenant.id, { filters, limit: 50 }).then(idsOf);

    expect(await list({ scheduleId: sources.scheduleId })).toEqual([scheduled]);
    expect(await list({ webhookId: sources.webhookId })).toEqual([hooked]);
    expect(await list({ apiKeyId: sources.apiKeyId })).toEqual([keyed]);
    expect(await list({ runIds: [manual, keyed] })).toEqual([keyed, manual]);
    const [row] = (await listRuns(db, setup.tenant.id, { filters: { runIds: [keyed] }, limit: 1 }))
      .runs;
    expect(row?.invoker).toMatchObject({
      apiKeyId: sources.apiKeyId,
      apiKeyName: `CI ${setup.tenant.name}`,
    });
  });

  it("finds nothing for another tenant's schedule, webhook or key, nor names them", async () => {
    const mine = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    await sourcesOf(mine);
    const theirSources = await sourcesOf(theirs);
    await runOf(theirs, 0, { source: "schedule", scheduleId: theirSources.scheduleId });
    await runOf(theirs, 1, { source: "webhook", webhookId: theirSources.webhookId });
    await runOf(theirs, 2, { source: "api", apiKeyId: theirSources.apiKeyId });
    for (const filters of [
      { scheduleId: theirSources.scheduleId },
      { webhookId: theirSources.webhookId },
      { apiKeyId: theirSources.apiKeyId },
    ]) {
      // Their own history has the run: the filter itself works.
      expect((await listRuns(db, theirs.tenant.id, { filters, limit: 50 })).runs).toHaveLength(1);
      expect((await listRuns(db, mine.tenant.id, { filters, limit: 50 })).runs).toEqual([]);
    }
    expect(await runSourceNames(db, mine.tenant.id, theirSources)).toEqual({
      schedule: null,
      webhook: null,
      apiKey: null,
    });
    expect(await runSourceNames(db, theirs.tenant.id, theirSources)).toEqual({
      schedule: `Nightly ${theirs.tenant.name}`,
      webhook: `Inbox ${theirs.tenant.name}`,
      apiKey: `CI ${theirs.tenant.name}`,
    });
  });

  it("shows a failed run's reason by its first line only", async () => {
    const setup = await createTenantWithSkill(db);
    await runOf(setup, 0, {
      status: "failed",
      failureCode: "model_error",
      failureReason: "The provider answered HTTP 401: invalid key\r\nrequest id abc\nmore",
    });
    const [run] = (await listRuns(db, setup.tenant.id, { limit: 1 })).runs;
    expect(run).toMatchObject({
      failureCode: "model_error",
      failureReasonLine: "The provider answered HTTP 401: invalid key",
    });
  });
});

describe("why a queued run waits", () => {
  it("counts the tenant's running runs against its slots, and places each queued run by age", async () => {
    const setup = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    for (let minute = 0; minute < 5; minute++) await runOf(setup, minute, { status: "running" });
    await runOf(setup, 5, { status: "complete" });
    // Another tenant's queue is its own: neither its running nor its queued runs count here.
    await runOf(other, 0, { status: "running" });
    await runOf(other, 1, { status: "queued" });
    const first = await runOf(setup, 10, { status: "queued" });
    const second = await runOf(setup, 11, { status: "queued" });
    const third = await runOf(setup, 12, { status: "queued" });

    const page = await listRuns(db, setup.tenant.id, { limit: 50 });
    const queueOf = (id: string) => page.runs.find((run) => run.id === id)?.queue;
    // SKILLRUN_RUN_CONCURRENCY's default: five slots per tenant.
    expect(queueOf(first)).toEqual({ running: 5, slots: 5, position: 1 });
    expect(queueOf(second)).toEqual({ running: 5, slots: 5, position: 2 });
    expect(queueOf(third)).toEqual({ running: 5, slots: 5, position: 3 });
    expect(page.runs.filter((run) => run.status !== "queued").map((run) => run.queue)).toEqual(
      Array(6).fill(null),
    );
    expect((await getRun(db, setup.tenant.id, second)).queue).toEqual({
      running: 5,
      slots: 5,
      position: 2,
    });

    // The first in line starts: everyone behind it moves up.
    await db.update(skillRuns).set({ status: "running" }).where(eq(skillRuns.id, first));
    const after = await queueStates(
      db,
      setup.tenant.id,
      [second, third].map((id) => ({ id, status: "queued" as const })),
      8,
    );
    expect(Object.fromEntries(after)).toEqual({
      [second]: { running: 6, slots: 8, position: 1 },
      [third]: { running: 6, slots: 8, position: 2 },
    });
    expect((await getRun(db, setup.tenant.id, first)).queue).toBeNull();
  });

  it("breaks ties on the creation time by id, as the history orders them", async () => {
    const setup = await createTenantWithSkill(db);
    const ids = [
      await runOf(setup, 0, { status: "queued" }),
      await runOf(setup, 0, { status: "queued" }),
    ];
    const states = await queueStates(
      db,
      setup.tenant.id,
      ids.map((id) => ({ id, status: "queued" as const })),
    );
    const [lower, higher] = [...ids].sort();
    expect(states.get(lower ?? "")?.position).toBe(1);
    expect(states.get(higher ?? "")?.position).toBe(2);
  });
});
