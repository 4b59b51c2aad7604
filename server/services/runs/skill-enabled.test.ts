/**
 * An agent runs only the skills it has (agent_skills), at every start path: interactive sources
 * (Run now, REST, re-run) are refused with `skill_not_enabled` and nothing is written; unattended
 * ones (schedules, webhooks) get a run born failed with it; and the turn checks again, since the
 * agent's skills may change while a run waits in the queue.
 */
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agents, agentSkills, skillRuns } from "@/server/db/schema";
import { createTenantWithSkill, fingerprintTables, openTestDatabase } from "@/test/fixtures";
import { checkRunTarget, findRunTargets } from "./run-target";
import { markRunning } from "./run-lifecycle";
import { resolveRunConfig } from "./run-turn";
import { createRun, createRuns } from "./runs";

const { db } = openTestDatabase();

async function tenantWhoseAgentLacksTheSkill() {
  const setup = await createTenantWithSkill(db);
  await db
    .delete(agentSkills)
    .where(and(eq(agentSkills.agentId, setup.agent.id), eq(agentSkills.skillId, setup.skill.id)));
  return setup;
}

describe("a skill the agent does not have", () => {
  it("is refused for Run now, REST and re-runs, naming the agent and the skill, and writes nothing", async () => {
    const { tenant, skill, agent } = await tenantWhoseAgentLacksTheSkill();
    const before = await fingerprintTables(db);
    for (const source of ["manual", "api", "rerun"] as const) {
      const error = await createRun(db, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        agentId: agent.id,
        inputs: {},
        source,
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: "skill_not_enabled",
        kind: "precondition",
        message: expect.stringContaining(`Agent "Agent" may not run the skill "Skill"`),
        fieldErrors: { agentId: ['may not run "Skill"'] },
      });
    }
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("gives a schedule's or webhook's run a failed start with the reason, so the operator sees it", async () => {
    const { tenant, skill } = await tenantWhoseAgentLacksTheSkill();
    const outcomes = await createRuns(
      db,
      (["schedule", "webhook"] as const).map((source) => ({
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: {},
        source,
      })),
    );
    for (const outcome of outcomes) {
      if ("error" in outcome) throw outcome.error;
      expect(outcome.run).toMatchObject({ status: "failed", failureCode: "skill_not_enabled" });
    }
  });

  it("is a field error when a schedule or webhook is saved with that agent, or with a default agent without it", async () => {
    const { tenant, skill, agent } = await tenantWhoseAgentLacksTheSkill();
    for (const agentId of [agent.id, null]) {
      const { errors } = await checkRunTarget(db, tenant.id, { skillId: skill.id, agentId });
      expect(errors.agentId?.[0]).toMatch(
        /may not run "Skill": it is not among the agent's skills/,
      );
    }
    const allowed = await createTenantWithSkill(db);
    const { errors } = await checkRunTarget(db, allowed.tenant.id, {
      skillId: allowed.skill.id,
      agentId: allowed.agent.id,
    });
    expect(errors).toEqual({});
  });

  it("fails a queued run at the turn when the skill was taken from the agent while it waited", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const started = await createRun(db, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: {},
      source: "manual",
    });
    const ref = { runId: started.run.id, tenantId: tenant.id };
    await db.delete(agentSkills).where(eq(agentSkills.agentId, agent.id));
    expect(await markRunning(db, ref)).toBe(true);
    expect(await resolveRunConfig(db, ref)).toBe(false);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, ref.runId));
    expect(run).toMatchObject({ status: "failed", failureCode: "skill_not_enabled" });
    expect(run?.configSnapshot).toBeNull();
  });
});

describe("a run that names no agent", () => {
  it("goes to the default if it has the skill, else to the one agent that has it, else is refused", async () => {
    const setup = await createTenantWithSkill(db);
    const [other] = await db
      .insert(agents)
      .values({ tenantId: setup.tenant.id, name: "Other", templateId: setup.template.id })
      .returning({ id: agents.id });
    const target = async () =>
      (await findRunTargets(db, [{ tenantId: setup.tenant.id, skill: { id: setup.skill.id } }]))[0]
        ?.target;
    // Both have it: the default.
    await db.insert(agentSkills).values({ agentId: other!.id, skillId: setup.skill.id });
    expect(await target()).toMatchObject({ agentId: setup.agent.id, agentHasSkill: true });
    // Only the other has it: that one, as Run now preselects.
    await db.delete(agentSkills).where(eq(agentSkills.agentId, setup.agent.id));
    expect(await target()).toMatchObject({ agentId: other!.id, agentHasSkill: true });
    // Nobody has it: the default, which may not run it.
    await db.delete(agentSkills).where(eq(agentSkills.agentId, other!.id));
    expect(await target()).toMatchObject({ agentId: setup.agent.id, agentHasSkill: false });
  });
});
