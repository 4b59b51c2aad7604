import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import { eq } from "drizzle-orm";
import { skillRuns, skills } from "@/server/db/schema";
import {
  createTenantWithSkill,
  openTestDatabase,
  signedInMember,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

type Setup = Awaited<ReturnType<typeof createTenantWithSkill>>;

const snapshotOf = (setup: Setup, model: string): AgentRuntimeConfig => ({
  agent: { id: setup.agent.id, name: "Agent" },
  template: { id: setup.template.id, name: "Template" },
  model,
  modelSource: "agent",
  systemPrompt: "You are careful.",
  skills: [],
  tools: ["current_time"],
  blockedTools: [],
  mcpServers: [{ id: randomUUID(), name: "Tracker", url: "https://mcp.example.test/s/secret/mcp" }],
  knowledgeBases: [],
  guardrail: null,
  limits: { maxSteps: 8, timeoutSeconds: 120 },
  currentUser: null,
});

async function completeRun(setup: Setup, payload: string, model: string, parentRunId?: string) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: setup.tenant.id,
      skillId: setup.skill.id,
      skillVersion: "v1",
      agentId: setup.agent.id,
      source: parentRunId ? "rerun" : "manual",
      parentRunId,
      inputs: { topic: model },
      status: "complete",
      finishedAt: new Date(),
      configSnapshot: snapshotOf(setup, model),
      deliverable: { type: "inline", format: "markdown", payload },
    })
    .returning({ id: skillRuns.id });
  return run!.id;
}

describe("runCompare.get", () => {
  it("answers two runs of one skill: inputs, resolved config (URLs redacted) and deliverables", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "viewer");
    const a = await completeRun(setup, "# Reply\nShipped Monday\n", "openai:gpt-4.1-mini");
    const b = await completeRun(setup, "# Reply\nShipped Tuesday\n", "openai:gpt-4.1", a);
    const compared = await caller.runCompare.get({ a, b });
    expect(compared.skill).toMatchObject({ id: setup.skill.id, slug: setup.skill.slug });
    expect(compared.a).toMatchObject({
      id: a,
      inputs: { topic: "openai:gpt-4.1-mini" },
      deliverable: "# Reply\nShipped Monday\n",
    });
    expect(compared.b).toMatchObject({
      id: b,
      parentRunId: a,
      deliverable: "# Reply\nShipped Tuesday\n",
    });
    const factOf = (side: typeof compared.a, label: string) =>
      side.configFacts.find((fact) => fact.label === label)?.value;
    expect(factOf(compared.a, "Model")).toBe("openai:gpt-4.1-mini (agent)");
    expect(factOf(compared.b, "Model")).toBe("openai:gpt-4.1 (agent)");
    expect(factOf(compared.a, "MCP servers")).toBe("Tracker (https://mcp.example.test)");
    expect(JSON.stringify(compared)).not.toContain("secret");
    expect(compared.a.configFacts.map((fact) => fact.label)).toEqual(
      compared.b.configFacts.map((fact) => fact.label),
    );
  });

  it("says which run's deliverable retention cleared", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "viewer");
    const a = await completeRun(setup, "# Old\n", "openai:gpt-4.1-mini");
    const b = await completeRun(setup, "# New\n", "openai:gpt-4.1", a);
    const expiredAt = new Date("2026-11-01T00:00:00Z");
    await db
      .update(skillRuns)
      .set({ deliverable: null, deliverableExpiredAt: expiredAt })
      .where(eq(skillRuns.id, a));
    const compared = await caller.runCompare.get({ a, b });
    expect(compared.a).toMatchObject({ deliverable: null, deliverableExpiredAt: expiredAt });
    expect(compared.b).toMatchObject({ deliverable: "# New\n", deliverableExpiredAt: null });
  });

  it("refuses runs of different skills, the same run twice, and foreign runs as unknown ones", async () => {
    const setup = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, setup.tenant.id, "viewer");
    const mine = await completeRun(setup, "A", "m");
    const otherSkill = await createTenantWithSkill(db);
    const elsewhere = await completeRun(otherSkill, "B", "m");
    // A run of another skill in the caller's own tenant (a skill of another tenant, for brevity).
    const second = await createTenantWithSkill(db);
    await db.update(skills).set({ name: "Other skill" }).where(eq(skills.id, second.skill.id));
    const [sameTenantOtherSkill] = await db
      .insert(skillRuns)
      .values({
        tenantId: setup.tenant.id,
        skillId: second.skill.id,
        skillVersion: "v1",
        source: "manual",
        inputs: {},
      })
      .returning({ id: skillRuns.id });

    expect(
      await trpcFailure(caller.runCompare.get({ a: mine, b: sameTenantOtherSkill!.id })),
    ).toMatchObject({
      code: "BAD_REQUEST",
      message:
        'Only runs of the same skill can be compared: one is a run of "Skill", the other of "Other skill".',
    });
    expect(await trpcFailure(caller.runCompare.get({ a: mine, b: mine }))).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { b: ["Pick two different runs to compare."] },
    });
    const unknown = randomUUID();
    const foreign = await trpcFailure(caller.runCompare.get({ a: mine, b: elsewhere }));
    const missing = await trpcFailure(caller.runCompare.get({ a: mine, b: unknown }));
    expect(foreign).toEqual({ ...missing, message: missing.message.replace(unknown, elsewhere) });
    expect(foreign).toMatchObject({
      code: "NOT_FOUND",
      message: `Run ${elsewhere} was not found.`,
    });
  });
});
