import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { skills } from "@/server/db/schema";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { checkRunTarget, findRunTargets } from "./run-target";

const { db } = openTestDatabase();

async function builtInSkill(slug: string) {
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId: null,
      origin: "builtin",
      slug,
      name: "Built in",
      description: "",
      versionHash: "builtin-v1",
      ...inputsColumnsOf({ type: "object", properties: {} }),
      instructions: "Do it.",
    })
    .returning({ id: skills.id });
  return skill!;
}

describe("findRunTargets", () => {
  it("answers every request in one statement by the rules of run creation, each with its request", async () => {
    const mine = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    const withoutDefault = await createTenantWithSkill(db, { defaultAgent: false });
    const shared = await builtInSkill(mine.skill.slug);
    const builtInOnly = await builtInSkill(`built-in-${randomUUID().slice(0, 8)}`);
    const disabled = await createTenantWithSkill(db);
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, disabled.skill.id));

    const requests = [
      // A slug that names both the tenant's skill and a built-in: the tenant's own.
      { tenantId: mine.tenant.id, skill: { slug: mine.skill.slug } },
      // The built-in by id, with a named agent of the tenant.
      { tenantId: mine.tenant.id, skill: { id: shared.id }, agentId: mine.agent.id },
      { tenantId: mine.tenant.id, skill: { id: builtInOnly.id }, agentId: null },
      // Another tenant's skill and agent are not found; the default agent is not taken instead.
      { tenantId: mine.tenant.id, skill: { id: theirs.skill.id }, agentId: theirs.agent.id },
      // No default agent, and the skill's one agent is not named: that agent.
      { tenantId: withoutDefault.tenant.id, skill: { id: withoutDefault.skill.id } },
      { tenantId: disabled.tenant.id, skill: { slug: disabled.skill.slug } },
    ];
    const found = await findRunTargets(db, requests);
    expect(found.map(({ request }) => request)).toEqual(requests);
    expect(found.map(({ target }) => [target.skill?.id ?? null, target.agentId])).toEqual([
      [mine.skill.id, mine.agent.id],
      [shared.id, mine.agent.id],
      [builtInOnly.id, mine.agent.id],
      [null, null],
      [withoutDefault.skill.id, withoutDefault.agent.id],
      [null, disabled.agent.id],
    ]);
    expect(found[1]?.target.skill).toMatchObject({ versionHash: "builtin-v1" });
    expect(await findRunTargets(db, [])).toEqual([]);
  });

  it("answers more requests than one statement takes, each with its own target", async () => {
    const worlds = [await createTenantWithSkill(db), await createTenantWithSkill(db)];
    const requests = Array.from({ length: 1_001 }, (_, index) => {
      const world = worlds[index % 2]!;
      return { tenantId: world.tenant.id, skill: { id: world.skill.id } };
    });
    const found = await findRunTargets(db, requests);
    expect(found).toHaveLength(1_001);
    found.forEach(({ request, target }, index) => {
      const world = worlds[index % 2]!;
      expect(request).toBe(requests[index]);
      expect(target).toMatchObject({ skill: { id: world.skill.id }, agentId: world.agent.id });
    });
  });
});

describe("checkRunTarget", () => {
  it("names the field a schedule or webhook must fix, and gives the skill's inputs schema", async () => {
    const mine = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    expect(
      await checkRunTarget(db, mine.tenant.id, { skillId: mine.skill.id, agentId: null }),
    ).toEqual({ skill: expect.objectContaining({ id: mine.skill.id }), errors: {} });
    expect(
      await checkRunTarget(db, mine.tenant.id, {
        skillId: theirs.skill.id,
        agentId: theirs.agent.id,
      }),
    ).toEqual({
      skill: null,
      errors: {
        skillId: ["is not a skill of this tenant"],
        agentId: ["is not an agent of this tenant"],
      },
    });
  });
});
