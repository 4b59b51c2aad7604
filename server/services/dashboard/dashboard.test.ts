import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { FailureCode, RunStatus } from "@/lib/enums";
import { agents, scheduleSlots, schedules, skillRuns, skills } from "@/server/db/schema";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { createTenant, createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { dashboardOverview, DashboardSkillNotFoundError } from "./dashboard";

const { db } = openTestDatabase();

const AT = new Date("2026-03-10T12:00:00.000Z");
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(AT.getTime() - ms);

type Fixture = Awaited<ReturnType<typeof createTenantWithSkill>> & {
  otherSkillId: string;
  otherAgentId: string;
};
let fixture: Fixture;

async function run(
  tenantId: string,
  values: {
    skillId: string;
    agentId: string;
    status: RunStatus;
    createdAt: Date;
    startedAfterS?: number;
    workedS?: number;
    tokens?: [input: number, output: number, costUsd: string];
    failureCode?: FailureCode;
    model?: string;
  },
) {
  const startedAt =
    values.startedAfterS === undefined
      ? null
      : new Date(values.createdAt.getTime() + values.startedAfterS * 1000);
  const finishedAt =
    startedAt && values.workedS !== undefined
      ? new Date(startedAt.getTime() + values.workedS * 1000)
      : null;
  const [row] = await db
    .insert(skillRuns)
    .values({
      tenantId,
      skillId: values.skillId,
      skillVersion: "v1",
      agentId: values.agentId,
      source: "manual",
      inputs: {},
      status: values.status,
      failureCode: values.failureCode,
      failureReason: values.failureCode ? "It failed." : undefined,
      createdAt: values.createdAt,
      startedAt,
      finishedAt,
      inputTokens: values.tokens?.[0],
      outputTokens: values.tokens?.[1],
      costUsd: values.tokens?.[2],
    })
    .returning({ id: skillRuns.id });
  // The snapshot's model, which the generated `model` column reads.
  if (values.model)
    await db.execute(
      sql`update skill_runs set config_snapshot = jsonb_build_object('model', ${values.model}::text) where id = ${row!.id}`,
    );
}

beforeAll(async () => {
  const base = await createTenantWithSkill(db);
  const { tenant, skill, agent } = base;
  const [otherSkill] = await db
    .insert(skills)
    .values({
      tenantId: tenant.id,
      origin: "tenant",
      slug: `other-${randomUUID().slice(0, 8)}`,
      name: "Other skill",
      description: "Another.",
      versionHash: "v1",
      ...inputsColumnsOf({ type: "object", properties: {} }),
      instructions: "Do it.",
    })
    .returning();
  const [otherAgent] = await db
    .insert(agents)
    .values({ tenantId: tenant.id, name: "Other agent", templateId: base.template.id })
    .returning();
  fixture = { ...base, otherSkillId: otherSkill!.id, otherAgentId: otherAgent!.id };
  const S = skill.id;
  const S2 = otherSkill!.id;
  const A = agent.id;
  const B = otherAgent!.id;
  const gpt = "openai:gpt-4.1-mini";
  const claude = "anthropic:claude-sonnet-4-5";
  const t = tenant.id;
  await run(t, { skillId: S, agentId: A, status: "complete", createdAt: ago(HOUR), startedAfterS: 2, workedS: 10, tokens: [100, 50, "0.001"], model: gpt }); // prettier-ignore
  await run(t, { skillId: S, agentId: A, status: "complete", createdAt: ago(2 * HOUR), startedAfterS: 4, workedS: 20, tokens: [200, 100, "0.002"], model: gpt }); // prettier-ignore
  await run(t, { skillId: S, agentId: B, status: "failed", failureCode: "timeout", createdAt: ago(3 * HOUR), startedAfterS: 6, workedS: 60, tokens: [300, 150, "0.003"], model: claude }); // prettier-ignore
  await run(t, { skillId: S2, agentId: B, status: "failed", failureCode: "model_error", createdAt: ago(5 * HOUR), startedAfterS: 8, workedS: 2 }); // prettier-ignore
  await run(t, { skillId: S2, agentId: A, status: "failed", failureCode: "timeout", createdAt: ago(24 * HOUR - 60_000), startedAfterS: 10, workedS: 10, tokens: [10, 5, "0.0001"] }); // prettier-ignore
  // The window's edges: its first millisecond and its last are in, one either side is not.
  await run(t, { skillId: S, agentId: A, status: "cancelled", createdAt: ago(24 * HOUR) });
  await run(t, { skillId: S, agentId: A, status: "running", createdAt: AT, startedAfterS: 1 });
  await run(t, { skillId: S, agentId: A, status: "queued", createdAt: ago(24 * HOUR + 1) });
  await run(t, { skillId: S, agentId: A, status: "queued", createdAt: new Date(AT.getTime() + 1) }); // prettier-ignore

  const [daily, hourly] = await db
    .insert(schedules)
    .values([
      { tenantId: t, name: "Daily", skillId: S, agentId: A, cron: "0 * * * *", timezone: "UTC" },
      { tenantId: t, name: "Hourly", skillId: S2, cron: "0 * * * *", timezone: "UTC" },
    ])
    .returning();
  await db.insert(scheduleSlots).values([
    { tenantId: t, scheduleId: daily!.id, slotAt: ago(HOUR), outcome: "fired" },
    { tenantId: t, scheduleId: daily!.id, slotAt: ago(2 * HOUR), outcome: "skipped" },
    { tenantId: t, scheduleId: daily!.id, slotAt: ago(3 * HOUR), outcome: "missed" },
    { tenantId: t, scheduleId: daily!.id, slotAt: ago(25 * HOUR), outcome: "fired" },
    { tenantId: t, scheduleId: hourly!.id, slotAt: ago(HOUR), outcome: "missed" },
  ]);

  // Another tenant's runs and slots in the same window count for nobody else.
  const other = await createTenantWithSkill(db);
  await run(other.tenant.id, { skillId: other.skill.id, agentId: other.agent.id, status: "failed", failureCode: "timeout", createdAt: ago(HOUR), startedAfterS: 1, workedS: 1, tokens: [1, 1, "1"] }); // prettier-ignore
});

const overview = (input: Parameters<typeof dashboardOverview>[2]) =>
  dashboardOverview(db, fixture.tenant.id, input, AT);

describe("dashboardOverview", () => {
  it("counts the window's runs by status, from its first millisecond to its last", async () => {
    const { totals, hasRuns } = await overview({ window: "24h" });
    expect(hasRuns).toBe(true);
    expect(totals).toEqual({
      runs: 7,
      byStatus: {
        queued: 0,
        running: 1,
        awaiting_approval: 0,
        complete: 2,
        failed: 3,
        cancelled: 1,
      },
      finished: 6,
      failureRate: 0.5,
      failureCodes: [
        { code: "timeout", runs: 2 },
        { code: "model_error", runs: 1 },
      ],
    });
    const week = await overview({ window: "7d" });
    expect(week.totals.byStatus).toEqual({
      queued: 1,
      running: 1,
      awaiting_approval: 0,
      complete: 2,
      failed: 3,
      cancelled: 1,
    });
  });

  it("gives queued→start and start→complete p50 and p95 by nearest rank", async () => {
    // Waits 1, 2, 4, 6, 8, 10 s (the cancelled run never started); complete runs worked 10 and 20 s.
    expect((await overview({ window: "24h" })).latency).toEqual({
      queuedToStart: { p50: 4, p95: 10 },
      startToComplete: { p50: 10, p95: 20 },
    });
  });

  it("buckets the runs per UTC hour over a day, every hour present", async () => {
    const { series, bucket } = await overview({ window: "24h" });
    expect(bucket).toBe("hour");
    expect(series).toHaveLength(25);
    expect(series[0]).toEqual({
      at: ago(24 * HOUR),
      counts: { queued: 0, running: 0, awaiting_approval: 0, complete: 0, failed: 1, cancelled: 1 },
    });
    expect(series.at(-1)).toEqual({
      at: AT,
      counts: { queued: 0, running: 1, awaiting_approval: 0, complete: 0, failed: 0, cancelled: 0 },
    });
    expect(series.find((point) => point.at.getTime() === ago(HOUR).getTime())?.counts).toEqual({
      queued: 0,
      running: 0,
      awaiting_approval: 0,
      complete: 1,
      failed: 0,
      cancelled: 0,
    });
    const summed = series.reduce(
      (sum, point) => sum + Object.values(point.counts).reduce((a, b) => a + b, 0),
      0,
    );
    expect(summed).toBe(7);
    const week = await overview({ window: "7d" });
    expect(week.bucket).toBe("day");
    expect(week.series.map((point) => point.at.toISOString().slice(0, 10))).toEqual([
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
      "2026-03-10",
    ]);
  });

  it("sums tokens and cost by skill, agent and model, costliest first", async () => {
    const { usage } = await overview({ window: "24h" });
    const S = fixture.skill.id;
    const S2 = fixture.otherSkillId;
    expect(usage.bySkill).toEqual([
      { id: S, name: "Skill", runs: 5, inputTokens: 600, outputTokens: 300, costUsd: 0.006 },
      { id: S2, name: "Other skill", runs: 2, inputTokens: 10, outputTokens: 5, costUsd: 0.0001 },
    ]);
    expect(usage.byAgent).toEqual([
      { id: fixture.agent.id, name: "Agent", runs: 5, inputTokens: 310, outputTokens: 155, costUsd: 0.0031 }, // prettier-ignore
      { id: fixture.otherAgentId, name: "Other agent", runs: 2, inputTokens: 300, outputTokens: 150, costUsd: 0.003 }, // prettier-ignore
    ]);
    expect(usage.byModel).toEqual([
      { id: "openai:gpt-4.1-mini", name: "openai:gpt-4.1-mini", runs: 2, inputTokens: 300, outputTokens: 150, costUsd: 0.003 }, // prettier-ignore
      { id: "anthropic:claude-sonnet-4-5", name: "anthropic:claude-sonnet-4-5", runs: 1, inputTokens: 300, outputTokens: 150, costUsd: 0.003 }, // prettier-ignore
      { id: null, name: "No model", runs: 4, inputTokens: 10, outputTokens: 5, costUsd: 0.0001 },
    ]);
  });

  it("counts schedule slots by outcome and schedule, most trouble first", async () => {
    const { schedules: health } = await overview({ window: "24h" });
    expect(health.totals).toEqual({
      fired: 1,
      skipped: 1,
      skipped_budget: 0,
      missed: 2,
      failed: 0,
    });
    expect(health.schedules.map(({ id: _id, ...counts }) => counts)).toEqual([
      { name: "Daily", fired: 1, skipped: 1, skipped_budget: 0, missed: 1, failed: 0 },
      { name: "Hourly", fired: 0, skipped: 0, skipped_budget: 0, missed: 1, failed: 0 },
    ]);
    expect((await overview({ window: "7d" })).schedules.totals.fired).toBe(2);
  });

  it("narrows every panel to a skill, an agent, or both", async () => {
    const bySkill = await overview({ window: "24h", skillId: fixture.otherSkillId });
    expect(bySkill.totals.byStatus).toMatchObject({ failed: 2, complete: 0 });
    expect(bySkill.schedules.totals).toEqual({
      fired: 0,
      skipped: 0,
      skipped_budget: 0,
      missed: 1,
      failed: 0,
    });
    expect(bySkill.usage.bySkill.map((line) => line.id)).toEqual([fixture.otherSkillId]);
    const byAgent = await overview({ window: "24h", agentId: fixture.otherAgentId });
    expect(byAgent.totals.runs).toBe(2);
    expect(byAgent.schedules.totals).toEqual({
      fired: 0,
      skipped: 0,
      skipped_budget: 0,
      missed: 0,
      failed: 0,
    });
    const both = await overview({
      window: "24h",
      skillId: fixture.skill.id,
      agentId: fixture.otherAgentId,
    });
    expect(both.totals).toMatchObject({ runs: 1, failureRate: 1 });
  });

  it("refuses a skill or agent that is not the tenant's, as not found", async () => {
    const other = await createTenantWithSkill(db);
    await expect(overview({ window: "24h", skillId: other.skill.id })).rejects.toBeInstanceOf(
      DashboardSkillNotFoundError,
    );
    await expect(overview({ window: "24h", agentId: other.agent.id })).rejects.toBeInstanceOf(
      AgentNotFoundError,
    );
    await expect(overview({ window: "24h", skillId: randomUUID() })).rejects.toThrow(
      "was not found in this tenant",
    );
  });

  it("accepts a built-in skill, which every tenant sees", async () => {
    const [builtIn] = await db
      .insert(skills)
      .values({
        origin: "builtin",
        slug: `builtin-${randomUUID().slice(0, 8)}`,
        name: "Built-in",
        description: "Everyone's.",
        versionHash: "v1",
        ...inputsColumnsOf({ type: "object", properties: {} }),
        instructions: "Do it.",
      })
      .returning();
    const { totals } = await overview({ window: "30d", skillId: builtIn!.id });
    expect(totals.runs).toBe(0);
    await db.delete(skills).where(eq(skills.id, builtIn!.id));
  });

  it("tells a tenant that never ran anything apart from a quiet window", async () => {
    const fresh = await createTenant(db);
    const empty = await dashboardOverview(db, fresh.id, { window: "30d" }, AT);
    expect(empty).toMatchObject({ hasRuns: false, totals: { runs: 0, failureRate: null } });
    expect(empty.latency.queuedToStart).toEqual({ p50: null, p95: null });
    const quiet = await dashboardOverview(db, fixture.tenant.id, { window: "24h" }, ago(90 * 24 * HOUR)); // prettier-ignore
    expect(quiet).toMatchObject({ hasRuns: true, totals: { runs: 0 } });
  });
});
