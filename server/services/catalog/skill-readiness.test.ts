import { describe, expect, it } from "vitest";
import { agents, agentSkills } from "@/server/db/schema";
import { findRunTargets } from "@/server/services/runs/run-target";
import { createWebhook, getWebhook } from "@/server/services/webhooks/webhooks";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";

const { db } = openTestDatabase();

/**
 * The warning on a schedule or webhook says what a run would meet: it agrees with the agent
 * `findRunTargets` picks, also when no agent is named and the default may not run the skill.
 */
describe("whether a webhook's agent may run its skill", () => {
  it("agrees with run creation when no agent is named and the default lacks the skill", async () => {
    const setup = await createTenantWithSkill(db, { agentHasSkill: false });
    const admin = await createUser(db, [{ tenantId: setup.tenant.id, role: "admin" }]);
    const addAgent = async (name: string) => {
      const [agent] = await db
        .insert(agents)
        .values({ tenantId: setup.tenant.id, name, templateId: setup.template.id })
        .returning();
      if (!agent) throw new Error("insert returned no agent");
      await db.insert(agentSkills).values({ agentId: agent.id, skillId: setup.skill.id });
      return agent;
    };
    const scope = {
      tenantId: setup.tenant.id,
      userId: admin.id,
      audit: { actor: { type: "user" as const, id: admin.id }, origin: null },
    };
    const webhookOf = async (name: string, agentId: string | null) => {
      const { id } = await createWebhook(db, scope, {
        name,
        skillId: setup.skill.id,
        agentId,
        inputMapping: {},
        rateLimitPerMinute: 60,
        enabled: true,
      });
      return id;
    };
    const verdicts = async (webhookId: string, agentId: string | null) => {
      const [found] = await findRunTargets(db, [
        { tenantId: setup.tenant.id, skill: { id: setup.skill.id }, agentId },
      ]);
      const webhook = await getWebhook(db, setup.tenant.id, webhookId);
      return { runAgentHasSkill: found?.target.agentHasSkill, skillProblem: webhook.skillProblem };
    };

    // The skill's one agent is not the default: runs go to it, so there is nothing to warn of.
    const onlyAssignee = await addAgent("Only assignee");
    const unnamed = await webhookOf("Unnamed agent", null);
    expect(await verdicts(unnamed, null)).toEqual({ runAgentHasSkill: true, skillProblem: null });
    const named = await webhookOf("Named agent", onlyAssignee.id);
    expect(await verdicts(named, onlyAssignee.id)).toEqual({
      runAgentHasSkill: true,
      skillProblem: null,
    });

    // Two agents have it: no one is picked over the default, which may not run it.
    await addAgent("Second assignee");
    expect(await verdicts(unnamed, null)).toEqual({
      runAgentHasSkill: false,
      skillProblem: "not_enabled",
    });
    expect(await verdicts(named, onlyAssignee.id)).toEqual({
      runAgentHasSkill: true,
      skillProblem: null,
    });
  });
});
