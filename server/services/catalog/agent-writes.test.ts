import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { AgentInput } from "@/lib/schemas/agents";
import { agents, skills } from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { createAgent, duplicateAgent, updateAgent } from "./agent-writes";

const { db } = openTestDatabase();

const scopeOf = (tenantId: string) => ({
  tenantId,
  audit: { actor: { type: "system" as const, id: null }, origin: null },
});

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (caught: unknown) => caught,
  );
}

/** Until some session of this database waits on a lock. */
async function waitForALockWaiter() {
  for (;;) {
    const waiting = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((waiting[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("an agent's skills", () => {
  it("links only live, enabled skills; one disabled since it was linked may stay", async () => {
    const setup = await createTenantWithSkill(db, { agentHasSkill: false });
    const scope = scopeOf(setup.tenant.id);
    const input = (skillIds: string[]): AgentInput => ({
      name: `Writer ${randomUUID().slice(0, 6)}`,
      description: "",
      templateId: setup.template.id,
      modelOverride: null,
      skillIds,
      mcpServerIds: [],
      knowledgeBaseIds: [],
      pairedUserId: null,
      approvalPolicy: null,
    });
    const refusal = {
      fieldErrors: { skillIds: ["include one that is not in this tenant's catalog"] },
    };

    await db.update(skills).set({ enabled: false }).where(eq(skills.id, setup.skill.id));
    expect(await failure(createAgent(db, scope, input([setup.skill.id])))).toMatchObject(refusal);
    // Deleted but (by some other writer) still marked enabled: still refused.
    await db
      .update(skills)
      .set({ enabled: true, deletedAt: new Date() })
      .where(eq(skills.id, setup.skill.id));
    expect(await failure(createAgent(db, scope, input([setup.skill.id])))).toMatchObject(refusal);

    await db
      .update(skills)
      .set({ enabled: true, deletedAt: null })
      .where(eq(skills.id, setup.skill.id));
    const kept = input([setup.skill.id]);
    const { id } = await createAgent(db, scope, kept);
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, setup.skill.id));
    // Editing the agent does not force its since-disabled skill off.
    await expect(
      updateAgent(db, { ...scope, agentId: id }, { ...kept, description: "Edited." }),
    ).resolves.toEqual({ id });
    // Another agent may not take it up, though.
    expect(
      await failure(
        updateAgent(db, { ...scope, agentId: setup.agent.id }, input([setup.skill.id])),
      ),
    ).toMatchObject(refusal);
  });
});

describe("duplicating an agent", () => {
  it("answers a copy whose name another agent took meanwhile as a name conflict", async () => {
    const setup = await createTenantWithSkill(db);
    let duplicating: Promise<unknown> = Promise.resolve();
    await db.transaction(async (tx) => {
      // Not yet committed: the copy picks the same name, then waits on the unique index.
      await tx.insert(agents).values({
        tenantId: setup.tenant.id,
        name: `Copy of ${setup.agent.name}`,
        templateId: setup.template.id,
      });
      duplicating = failure(
        duplicateAgent(db, { ...scopeOf(setup.tenant.id), agentId: setup.agent.id }),
      );
      await waitForALockWaiter();
    });
    expect(await duplicating).toMatchObject({ code: "agent_name_taken", kind: "conflict" });
  });
});
