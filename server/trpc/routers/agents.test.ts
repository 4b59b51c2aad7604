import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  agents,
  agentSkills,
  agentTemplates,
  auditLog,
  guardrails,
  knowledgeBases,
  mcpServers,
  schedules,
  skillRuns,
  skills,
  webhooks,
} from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure as failure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const member = (tenantId: string, role: MemberRole) => signedInMember(db, auth, tenantId, role);

async function insertSkill(tenantId: string | null, name: string, enabled = true) {
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: tenantId ? "tenant" : "builtin",
      slug: `${name.toLowerCase().replaceAll(" ", "-")}-${randomUUID().slice(0, 6)}`,
      name,
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({ type: "object", properties: {} }),
      instructions: "i",
      enabled,
    })
    .returning();
  if (!skill) throw new Error("skill not inserted");
  return skill;
}

/** A tenant with its owner's caller, a second template, a built-in skill, an MCP server and a knowledge base. */
async function world() {
  const base = await createTenantWithSkill(db);
  const tenantId = base.tenant.id;
  const owner = await member(tenantId, "owner");
  const [guardrail] = await db
    .insert(guardrails)
    .values({
      tenantId,
      name: "Strict",
      rules: { deniedTerms: [], deniedPatterns: [], pii: "block", maxDeliverableChars: null },
    })
    .returning();
  const [writer] = await db
    .insert(agentTemplates)
    .values({
      tenantId,
      name: "Writer",
      systemPrompt: "You write.",
      defaultModel: "anthropic:claude-sonnet-4-5",
      blockedTools: ["read_skill_reference"],
      guardrailId: guardrail!.id,
      maxSteps: 4,
      timeoutSeconds: 60,
    })
    .returning();
  const builtIn = await insertSkill(null, `Built-in ${randomUUID().slice(0, 4)}`);
  const [server] = await db
    .insert(mcpServers)
    .values({
      tenantId,
      name: "Tickets",
      url: "https://mcp.example.com/mcp",
      authToken: "mcp-token-never-shown",
    })
    .returning();
  const [handbook] = await db
    .insert(knowledgeBases)
    .values({ tenantId, name: "Handbook" })
    .returning();
  return {
    ...base,
    owner,
    writer: writer!,
    builtIn,
    server: server!,
    handbook: handbook!,
  };
}

type World = Awaited<ReturnType<typeof world>>;

const draftOf = (w: World, overrides: Partial<Record<string, unknown>> = {}) => ({
  name: "Researcher",
  description: "Finds things out.",
  templateId: w.template.id,
  modelOverride: null,
  skillIds: [w.skill.id, w.builtIn.id],
  mcpServerIds: [w.server.id],
  knowledgeBaseIds: [w.handbook.id],
  pairedUserId: w.owner.user.id,
  ...overrides,
});

const auditEntries = (tenantId: string, action: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, action)));

describe("agents router: create, edit, duplicate", () => {
  it("creates an agent with its links, shown by get and the runtime config, and logged by name", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    const agent = await w.owner.caller.agents.get({ agentId: id });
    expect(agent).toMatchObject({
      name: "Researcher",
      isDefault: false,
      template: { id: w.template.id },
      modelOverride: null,
      pairedUserId: w.owner.user.id,
      mcpServerIds: [w.server.id],
      knowledgeBaseIds: [w.handbook.id],
      usedBy: { schedules: [], webhooks: [] },
    });
    expect([...agent.skillIds].sort()).toEqual([w.skill.id, w.builtIn.id].sort());
    const config = await w.owner.caller.agents.effectiveConfig({ agentId: id });
    expect(config.skills.map((skill) => skill.name).sort()).toEqual(
      [w.skill.name, w.builtIn.name].sort(),
    );
    expect(config.mcpServers.map((server) => server.name)).toEqual(["Tickets"]);

    const [entry] = await auditEntries(w.tenant.id, "agent.create");
    expect(entry).toMatchObject({ targetType: "agent", targetId: id });
    expect(entry?.metadata).toMatchObject({ name: "Researcher" });
    expect((entry?.metadata as { changes: unknown[] }).changes).toEqual(
      expect.arrayContaining([
        { field: "Template", before: null, after: "Template" },
        { field: "Skills", before: null, after: [w.builtIn.name, w.skill.name].sort().join(", ") },
        { field: "MCP servers", before: null, after: "Tickets" },
        { field: "Knowledge bases", before: null, after: "Handbook" },
      ]),
    );
    expect(JSON.stringify(entry)).not.toContain("mcp-token-never-shown");
  });

  it("refuses another tenant's or unknown linked ids, and a taken name, field by field, changing nothing", async () => {
    const w = await world();
    const other = await world();
    const before = await fingerprintTables(db);
    const foreign = await failure(
      w.owner.caller.agents.create(
        draftOf(w, {
          templateId: other.template.id,
          skillIds: [other.skill.id],
          mcpServerIds: [other.server.id],
          knowledgeBaseIds: [other.handbook.id],
          pairedUserId: other.owner.user.id,
        }),
      ),
    );
    expect(foreign).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: {
        templateId: ["is not one of this tenant's templates"],
        skillIds: ["include one that is not in this tenant's catalog"],
        mcpServerIds: ["include one that is not this tenant's"],
        knowledgeBaseIds: ["include one that is not this tenant's"],
        pairedUserId: ["is not a member of this tenant"],
      },
    });
    expect(foreign.message).toContain("Template is not one of this tenant's templates");
    const unknown = await failure(
      w.owner.caller.agents.create(draftOf(w, { skillIds: [w.skill.id, randomUUID()] })),
    );
    expect(unknown.fieldErrors).toEqual({
      skillIds: ["include one that is not in this tenant's catalog"],
    });
    const taken = await failure(w.owner.caller.agents.create(draftOf(w, { name: "Agent" })));
    expect(taken).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: ["is already the name of another agent of this tenant"] },
    });
    const badModel = await failure(
      w.owner.caller.agents.create(draftOf(w, { modelOverride: "gpt-4" })),
    );
    expect(badModel).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { modelOverride: [expect.stringContaining("provider:model")] },
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("replaces the row and its links in one save, logging a readable before/after", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    await w.owner.caller.agents.update({
      agentId: id,
      agent: draftOf(w, {
        name: "Writer bot",
        templateId: w.writer.id,
        modelOverride: "openai:gpt-4.1",
        skillIds: [w.builtIn.id],
        mcpServerIds: [],
        pairedUserId: null,
      }),
    });
    const agent = await w.owner.caller.agents.get({ agentId: id });
    expect(agent).toMatchObject({
      name: "Writer bot",
      template: { id: w.writer.id },
      model: "openai:gpt-4.1",
      modelOverride: "openai:gpt-4.1",
      skillIds: [w.builtIn.id],
      mcpServerIds: [],
      knowledgeBaseIds: [w.handbook.id],
      pairedUserId: null,
    });
    const [entry] = await auditEntries(w.tenant.id, "agent.update");
    expect((entry?.metadata as { changes: unknown[] }).changes).toEqual([
      { field: "Name", before: "Researcher", after: "Writer bot" },
      { field: "Template", before: "Template", after: "Writer" },
      { field: "Model override", before: null, after: "openai:gpt-4.1" },
      {
        field: "Skills",
        before: [w.builtIn.name, w.skill.name].sort().join(", "),
        after: w.builtIn.name,
      },
      { field: "MCP servers", before: "Tickets", after: null },
      { field: "Paired user", before: expect.stringContaining(w.owner.user.email), after: null },
    ]);

    // A save that changes nothing logs nothing.
    await w.owner.caller.agents.update({
      agentId: id,
      agent: draftOf(w, {
        name: "Writer bot",
        templateId: w.writer.id,
        modelOverride: "openai:gpt-4.1",
        skillIds: [w.builtIn.id],
        mcpServerIds: [],
        pairedUserId: null,
      }),
    });
    expect(await auditEntries(w.tenant.id, "agent.update")).toHaveLength(1);
  });

  it("keeps a linked skill that was disabled, which the runtime config leaves out", async () => {
    const w = await world();
    // Linked while enabled (a disabled skill cannot be newly linked), then disabled.
    const disabled = await insertSkill(w.tenant.id, "Paused skill", true);
    const { id } = await w.owner.caller.agents.create(
      draftOf(w, { skillIds: [w.skill.id, disabled.id] }),
    );
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, disabled.id));
    const links = await db.select().from(agentSkills).where(eq(agentSkills.agentId, id));
    expect(links.map((link) => link.skillId).sort()).toEqual([w.skill.id, disabled.id].sort());
    const config = await w.owner.caller.agents.effectiveConfig({ agentId: id });
    expect(config.skills.map((skill) => skill.id)).toEqual([w.skill.id]);
    // The editor offers enabled skills only.
    const options = await w.owner.caller.agents.formOptions();
    expect(options.skills.map((skill) => skill.id)).not.toContain(disabled.id);
  });

  it("duplicates as a numbered copy with the same links, never the default", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    const first = await w.owner.caller.agents.duplicate({ agentId: id });
    const second = await w.owner.caller.agents.duplicate({ agentId: id });
    const copy = await w.owner.caller.agents.get({ agentId: first.id });
    expect(copy).toMatchObject({
      name: "Copy of Researcher",
      isDefault: false,
      template: { id: w.template.id },
      mcpServerIds: [w.server.id],
      knowledgeBaseIds: [w.handbook.id],
      pairedUserId: w.owner.user.id,
    });
    expect([...copy.skillIds].sort()).toEqual([w.skill.id, w.builtIn.id].sort());
    expect((await w.owner.caller.agents.get({ agentId: second.id })).name).toBe(
      "Copy of Researcher (2)",
    );
    const duplicatedDefault = await w.owner.caller.agents.duplicate({ agentId: w.agent.id });
    expect((await w.owner.caller.agents.get({ agentId: duplicatedDefault.id })).isDefault).toBe(
      false,
    );
  });
});

describe("agents router: default and delete", () => {
  it("moves the default in one step, logged with the old and new default", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    await w.owner.caller.agents.setDefault({ agentId: id });
    const defaults = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.tenantId, w.tenant.id), eq(agents.isDefault, true)));
    expect(defaults).toEqual([{ id }]);
    await w.owner.caller.agents.setDefault({ agentId: id });
    const entries = await auditEntries(w.tenant.id, "agent.set_default");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.metadata).toMatchObject({
      name: "Researcher",
      changes: [{ field: "Default agent", before: "Agent", after: "Researcher" }],
    });
  });

  it("keeps one default when two admins switch it at once", async () => {
    const w = await world();
    const first = await w.owner.caller.agents.create(draftOf(w, { name: "First" }));
    const second = await w.owner.caller.agents.create(draftOf(w, { name: "Second" }));
    await Promise.all([
      w.owner.caller.agents.setDefault({ agentId: first.id }),
      w.owner.caller.agents.setDefault({ agentId: second.id }),
    ]);
    const defaults = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.tenantId, w.tenant.id), eq(agents.isDefault, true)));
    expect(defaults).toHaveLength(1);
    expect(await auditEntries(w.tenant.id, "agent.set_default")).toHaveLength(2);
  });

  it("refuses to delete an agent schedules or webhooks use, naming them, and the default agent", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    const [schedule] = await db
      .insert(schedules)
      .values({
        tenantId: w.tenant.id,
        name: "Morning digest",
        skillId: w.skill.id,
        agentId: id,
        cron: "0 9 * * *",
        timezone: "UTC",
      })
      .returning();
    const webhook = await w.owner.caller.webhooks.create({
      name: "Ticket hook",
      skillId: w.skill.id,
      agentId: id,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    });
    expect((await w.owner.caller.agents.get({ agentId: id })).usedBy).toEqual({
      schedules: [{ id: schedule!.id, name: "Morning digest" }],
      webhooks: [{ id: webhook.id, name: "Ticket hook" }],
    });
    const before = await fingerprintTables(db);
    expect(await failure(w.owner.caller.agents.delete({ agentId: id }))).toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(
        '"Researcher" is used by schedule "Morning digest", webhook "Ticket hook"',
      ),
    });
    expect(await failure(w.owner.caller.agents.delete({ agentId: w.agent.id }))).toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("default agent"),
    });
    expect(await fingerprintTables(db)).toEqual(before);

    // Without users it goes; its runs keep their snapshot and lose the link.
    const [run] = await db
      .insert(skillRuns)
      .values({
        tenantId: w.tenant.id,
        skillId: w.skill.id,
        skillVersion: "v1",
        agentId: id,
        source: "manual",
        inputs: {},
        configSnapshot: await w.owner.caller.agents.effectiveConfig({ agentId: id }),
      })
      .returning();
    await db.delete(schedules).where(eq(schedules.id, schedule!.id));
    await db.delete(webhooks).where(eq(webhooks.id, webhook.id));
    await w.owner.caller.agents.delete({ agentId: id });
    expect(await failure(w.owner.caller.agents.get({ agentId: id }))).toMatchObject({
      code: "NOT_FOUND",
    });
    const [kept] = await db.select().from(skillRuns).where(eq(skillRuns.id, run!.id));
    expect(kept).toMatchObject({
      agentId: null,
      configSnapshot: { agent: { name: "Researcher" } },
    });
    const [entry] = await auditEntries(w.tenant.id, "agent.delete");
    expect(entry?.metadata).toMatchObject({
      name: "Researcher",
      changes: expect.arrayContaining([{ field: "Name", before: "Researcher", after: null }]),
    });
  });
});

describe("agents router: preview, options, roles", () => {
  it("previews the draft next to the saved config without writing", async () => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    const before = await fingerprintTables(db);
    const preview = await w.owner.caller.agents.previewConfig({
      agentId: id,
      draft: draftOf(w, { templateId: w.writer.id, skillIds: [w.skill.id], pairedUserId: null }),
    });
    expect(await fingerprintTables(db)).toEqual(before);
    expect(preview.saved).toMatchObject({
      template: { name: "Template" },
      model: "openai:gpt-4.1-mini",
      modelSource: "deployment default",
      currentUser: { email: w.owner.user.email, source: "paired user" },
    });
    expect(preview.saved?.skills).toHaveLength(2);
    expect(preview.draft).toMatchObject({
      agent: { id, name: "Researcher" },
      template: { name: "Writer" },
      model: "anthropic:claude-sonnet-4-5",
      modelSource: "template",
      skills: [{ id: w.skill.id }],
      blockedTools: ["read_skill_reference"],
      guardrail: { name: "Strict", source: "template" },
      limits: { maxSteps: 4, timeoutSeconds: 60 },
      mcpServers: [{ name: "Tickets", url: "https://mcp.example.com" }],
      currentUser: null,
    });
    const fresh = await w.owner.caller.agents.previewConfig({ agentId: null, draft: draftOf(w) });
    expect(fresh.saved).toBeNull();
    expect(fresh.draft.template.name).toBe("Template");
  });

  it("offers the tenant's own rows by name, never an MCP server's URL or token", async () => {
    const w = await world();
    const other = await world();
    const options = await w.owner.caller.agents.formOptions();
    expect(options.templates.map((template) => template.name)).toEqual(["Template", "Writer"]);
    expect(options.templates[1]).toMatchObject({ model: "anthropic:claude-sonnet-4-5" });
    expect(options.mcpServers).toEqual([{ id: w.server.id, name: "Tickets", enabled: true }]);
    expect(options.knowledgeBases).toEqual([{ id: w.handbook.id, name: "Handbook" }]);
    expect(options.members.map((person) => person.id)).toContain(w.owner.user.id);
    expect(options.skills.map((skill) => skill.id)).toEqual(
      expect.arrayContaining([w.skill.id, w.builtIn.id]),
    );
    const text = JSON.stringify(options);
    for (const absent of [
      other.skill.id,
      other.template.id,
      other.owner.user.id,
      "mcp-token",
      "mcp.example.com",
    ])
      expect(text).not.toContain(absent);
  });

  it("lets operators and viewers read agents but change nothing", async () => {
    const w = await world();
    for (const role of ["operator", "viewer"] as const) {
      const { caller } = await member(w.tenant.id, role);
      expect((await caller.agents.get({ agentId: w.agent.id })).name).toBe("Agent");
      for (const attempt of [
        () => caller.agents.create(draftOf(w)),
        () => caller.agents.update({ agentId: w.agent.id, agent: draftOf(w) }),
        () => caller.agents.duplicate({ agentId: w.agent.id }),
        () => caller.agents.delete({ agentId: w.agent.id }),
        () => caller.agents.setDefault({ agentId: w.agent.id }),
        () => caller.agents.previewConfig({ agentId: w.agent.id, draft: draftOf(w) }),
        () => caller.agents.formOptions(),
      ])
        expect((await failure(attempt())).code).toBe("FORBIDDEN");
    }
  });
});

describe("agents router: an agent's own approval policy", () => {
  const own = { tools: ["tickets:close_*", "send_email"], deliverable: true, timeoutSeconds: 3600 };

  it("inherits the template's by default; its own wins, is logged, previewed and copied", async () => {
    const w = await world();
    await db
      .update(agentTemplates)
      .set({ approvalTools: ["delete_*"], approvalTimeoutSeconds: 600 })
      .where(eq(agentTemplates.id, w.template.id));
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    expect((await w.owner.caller.agents.get({ agentId: id })).approvalPolicy).toBeNull();
    expect((await w.owner.caller.agents.effectiveConfig({ agentId: id })).approval).toEqual({
      tools: ["delete_*"],
      deliverable: false,
      timeoutSeconds: 600,
      source: "template",
    });

    const preview = await w.owner.caller.agents.previewConfig({
      agentId: id,
      draft: draftOf(w, { approvalPolicy: own }),
    });
    expect(preview.saved?.approval?.source).toBe("template");
    expect(preview.draft.approval).toEqual({ ...own, source: "agent" });

    await w.owner.caller.agents.update({ agentId: id, agent: draftOf(w, { approvalPolicy: own }) });
    expect((await w.owner.caller.agents.get({ agentId: id })).approvalPolicy).toEqual(own);
    expect((await w.owner.caller.agents.effectiveConfig({ agentId: id })).approval).toEqual({
      ...own,
      source: "agent",
    });
    const [entry] = await auditEntries(w.tenant.id, "agent.update");
    expect((entry?.metadata as { changes: unknown[] }).changes).toEqual([
      {
        field: "Approval policy",
        before: "the template's",
        after: "tickets:close_*, send_email, the deliverable · 1 h timeout",
      },
    ]);

    const copy = await w.owner.caller.agents.duplicate({ agentId: id });
    expect((await w.owner.caller.agents.get({ agentId: copy.id })).approvalPolicy).toEqual(own);

    // Back to the template's.
    await w.owner.caller.agents.update({
      agentId: id,
      agent: draftOf(w, { approvalPolicy: null }),
    });
    expect((await w.owner.caller.agents.effectiveConfig({ agentId: id })).approval?.source).toBe(
      "template",
    );
  });

  it.each([
    { label: "a bad tool pattern", policy: { ...own, tools: ["bad tool!"] } },
    { label: "a timeout past 7 days", policy: { ...own, timeoutSeconds: 8 * 24 * 3600 } },
    { label: "a timeout under 10 s", policy: { ...own, timeoutSeconds: 5 } },
    { label: "a missing field", policy: { tools: [], deliverable: true } },
  ])("refuses $label as a field error, writing nothing", async ({ policy }) => {
    const w = await world();
    const { id } = await w.owner.caller.agents.create(draftOf(w));
    const before = await fingerprintTables(db);
    const created = await failure(
      w.owner.caller.agents.create(draftOf(w, { name: "Other", approvalPolicy: policy })),
    );
    expect(created.code).toBe("BAD_REQUEST");
    expect(created.fieldErrors).toHaveProperty("approvalPolicy");
    // An edit's body sits under `agent`: the error is keyed by it.
    const updated = await failure(
      w.owner.caller.agents.update({ agentId: id, agent: draftOf(w, { approvalPolicy: policy }) }),
    );
    expect(updated.code).toBe("BAD_REQUEST");
    expect(updated.fieldErrors).toHaveProperty("agent");
    expect(await fingerprintTables(db)).toEqual(before);
  });
});
