import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agents, skillRuns, type RunStatus } from "@/server/db/schema";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { SkillNotFoundError } from "@/server/services/runs/run-errors";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { ESTIMATE_SAMPLE_RUNS, estimateRunCost } from "./cost-estimate";

const { db } = openTestDatabase();
type World = Awaited<ReturnType<typeof createTenantWithSkill>>;

async function runWith(
  world: World,
  tokens: { input: number; output: number },
  status: RunStatus = "complete",
  createdAt = new Date(),
) {
  await db.insert(skillRuns).values({
    tenantId: world.tenant.id,
    skillId: world.skill.id,
    skillVersion: "v1",
    agentId: world.agent.id,
    source: "manual",
    inputs: {},
    status,
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    createdAt,
  });
}

describe("estimateRunCost", () => {
  it("prices the p50 and p90 of the skill's complete runs at the agent's model", async () => {
    const world = await createTenantWithSkill(db);
    // At openai:gpt-4.1-mini ($0.40 in, $1.60 out per million): $0.01, $0.02, … $0.05.
    for (const dollars of [3, 1, 5, 2, 4])
      await runWith(world, { input: dollars * 5_000, output: dollars * 5_000 });
    // Neither a failed run nor a run without recorded tokens counts.
    await runWith(world, { input: 10_000_000, output: 0 }, "failed");

    const estimate = await estimateRunCost(db, {
      tenantId: world.tenant.id,
      skillId: world.skill.id,
    });
    expect(estimate).toMatchObject({ model: "openai:gpt-4.1-mini", priced: true, runs: 5 });
    expect(estimate.p50Usd).toBeCloseTo(0.03, 9);
    // Between the 4th ($0.04) and 5th ($0.05) run, 60 % of the way: percentile_cont's p90.
    expect(estimate.p90Usd).toBeCloseTo(0.046, 9);

    // Another agent on another model prices the same tokens at its own rate.
    await db
      .update(agents)
      .set({ modelOverride: "anthropic:claude-haiku-4-5" })
      .where(eq(agents.id, world.agent.id));
    const haiku = await estimateRunCost(db, {
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      agentId: world.agent.id,
    });
    // $1 in, $5 out per million: 15,000 + 15,000 tokens → $0.09.
    expect(haiku.p50Usd).toBeCloseTo(0.09, 9);
  });

  it(`reads only the latest ${ESTIMATE_SAMPLE_RUNS} complete runs`, async () => {
    const world = await createTenantWithSkill(db);
    for (let index = 0; index < ESTIMATE_SAMPLE_RUNS; index++)
      await runWith(world, { input: 25_000, output: 0 });
    await runWith(world, { input: 10_000_000, output: 0 }, "complete", new Date("2020-01-01"));
    const estimate = await estimateRunCost(db, {
      tenantId: world.tenant.id,
      skillId: world.skill.id,
    });
    expect(estimate.runs).toBe(ESTIMATE_SAMPLE_RUNS);
    expect(estimate.p90Usd).toBeCloseTo(0.01, 9);
  });

  it("gives no figure without history, nor for a model without a price", async () => {
    const world = await createTenantWithSkill(db);
    expect(
      await estimateRunCost(db, { tenantId: world.tenant.id, skillId: world.skill.id }),
    ).toEqual({ model: "openai:gpt-4.1-mini", priced: true, runs: 0, p50Usd: null, p90Usd: null });

    await runWith(world, { input: 1_000, output: 1_000 });
    await db
      .update(agents)
      .set({ modelOverride: "openai-compatible:llama3" })
      .where(eq(agents.id, world.agent.id));
    expect(
      await estimateRunCost(db, { tenantId: world.tenant.id, skillId: world.skill.id }),
    ).toEqual({
      model: "openai-compatible:llama3",
      priced: false,
      runs: 1,
      p50Usd: null,
      p90Usd: null,
    });
  });

  it("answers another tenant's skill or agent as not found", async () => {
    const ours = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    await expect(
      estimateRunCost(db, { tenantId: ours.tenant.id, skillId: theirs.skill.id }),
    ).rejects.toBeInstanceOf(SkillNotFoundError);
    await expect(
      estimateRunCost(db, {
        tenantId: ours.tenant.id,
        skillId: ours.skill.id,
        agentId: theirs.agent.id,
      }),
    ).rejects.toBeInstanceOf(AgentNotFoundError);
    await expect(
      estimateRunCost(db, { tenantId: ours.tenant.id, skillId: randomUUID() }),
    ).rejects.toBeInstanceOf(SkillNotFoundError);
  });
});
