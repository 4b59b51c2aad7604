import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  agentKnowledgeBases,
  agentMcpServers,
  agents,
  agentSkills,
  agentTemplates,
  guardrails,
  knowledgeBases,
  mcpServers,
  skills,
  tenantSettings,
} from "@/server/db/schema";
import { BUILT_IN_TOOLS, type GuardrailRules } from "@/server/agent/config";
import { createTenant, createUser, openTestDatabase } from "@/test/fixtures";
import {
  AgentNotFoundError,
  resolveAgentRuntimeConfig,
  TemplateNotFoundError,
} from "./agent-config";
import { inputsColumnsOf } from "./skills";

const { db } = openTestDatabase();

const RULES: GuardrailRules = {
  deniedTerms: ["secret"],
  deniedPatterns: [],
  pii: "mask",
  maxDeliverableChars: 1000,
};

async function insertSkill(tenantId: string | null, slug: string, enabled = true) {
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: tenantId ? "tenant" : "builtin",
      slug: `${slug}-${randomUUID().slice(0, 6)}`,
      name: slug,
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

async function setup(
  options: {
    templateModel?: string | null;
    override?: string | null;
    blocked?: string[];
    templateGuardrail?: boolean;
    tenantDefaultGuardrail?: boolean;
  } = {},
) {
  const tenant = await createTenant(db);
  const [defaultGuardrail] = options.tenantDefaultGuardrail
    ? await db
        .insert(guardrails)
        .values({ tenantId: tenant.id, name: "Default", rules: RULES, isTenantDefault: true })
        .returning()
    : [];
  const [ownGuardrail] = options.templateGuardrail
    ? await db
        .insert(guardrails)
        .values({ tenantId: tenant.id, name: "Strict", rules: { ...RULES, pii: "block" } })
        .returning()
    : [];
  const [template] = await db
    .insert(agentTemplates)
    .values({
      tenantId: tenant.id,
      name: "Template",
      systemPrompt: "You are careful.",
      defaultModel: options.templateModel ?? null,
      blockedTools: options.blocked ?? [],
      guardrailId: ownGuardrail?.id ?? null,
      maxSteps: 5,
      timeoutSeconds: 120,
    })
    .returning();
  if (!template) throw new Error("template not inserted");
  const [agent] = await db
    .insert(agents)
    .values({
      tenantId: tenant.id,
      name: "Agent",
      templateId: template.id,
      modelOverride: options.override ?? null,
    })
    .returning();
  if (!agent) throw new Error("agent not inserted");
  return { tenant, template, agent, defaultGuardrail, ownGuardrail };
}

describe("resolveAgentRuntimeConfig", () => {
  it("refuses an unknown agent and another tenant's agent alike", async () => {
    const { agent } = await setup();
    const other = await createTenant(db);
    await expect(
      resolveAgentRuntimeConfig(db, { tenantId: other.id, agentId: agent.id }),
    ).rejects.toBeInstanceOf(AgentNotFoundError);
    await expect(
      resolveAgentRuntimeConfig(db, { tenantId: other.id, agentId: randomUUID() }),
    ).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it("refuses an agent whose template belongs to another tenant", async () => {
    const { agent } = await setup();
    const other = await setup();
    await db.update(agents).set({ templateId: other.template.id }).where(eq(agents.id, agent.id));
    await expect(
      resolveAgentRuntimeConfig(db, { tenantId: agent.tenantId, agentId: agent.id }),
    ).rejects.toBeInstanceOf(TemplateNotFoundError);
  });

  it.each([
    {
      override: "anthropic:claude-sonnet-4-5",
      templateModel: "openai:gpt-4.1",
      model: "anthropic:claude-sonnet-4-5",
      source: "agent",
    },
    {
      override: null,
      templateModel: "openai:gpt-4.1",
      model: "openai:gpt-4.1",
      source: "template",
    },
    {
      override: null,
      templateModel: null,
      model: "openai:gpt-4.1-mini",
      source: "deployment default",
    },
  ])("takes the model from the $source", async ({ override, templateModel, model, source }) => {
    const { agent } = await setup({ override, templateModel });
    const config = await resolveAgentRuntimeConfig(db, {
      tenantId: agent.tenantId,
      agentId: agent.id,
    });
    expect(config).toMatchObject({
      model,
      modelSource: source,
      systemPrompt: "You are careful.",
      limits: { maxSteps: 5, timeoutSeconds: 120 },
    });
  });

  it("takes the approval policy from the agent when it has its own, else from the template", async () => {
    const { agent, template } = await setup();
    await db
      .update(agentTemplates)
      .set({ approvalTools: ["send_*"], approveDeliverable: false, approvalTimeoutSeconds: 900 })
      .where(eq(agentTemplates.id, template.id));
    const resolve = () =>
      resolveAgentRuntimeConfig(db, { tenantId: agent.tenantId, agentId: agent.id });
    expect((await resolve()).approval).toEqual({
      tools: ["send_*"],
      deliverable: false,
      timeoutSeconds: 900,
      source: "template",
    });

    // Its own policy replaces the template's as a whole, even one that gates nothing.
    const own = { tools: [], deliverable: true, timeoutSeconds: 60 };
    await db.update(agents).set({ approvalPolicy: own }).where(eq(agents.id, agent.id));
    expect((await resolve()).approval).toEqual({ ...own, source: "agent" });

    await db.update(agents).set({ approvalPolicy: null }).where(eq(agents.id, agent.id));
    const [row] = await db.select().from(agents).where(eq(agents.id, agent.id));
    expect(row?.approvalPolicy).toBeNull();
    expect((await resolve()).approval?.source).toBe("template");
  });

  it("offers built-in tools minus the template's blocked ones, and none when the tenant turned them off", async () => {
    const { agent } = await setup({ blocked: ["read_skill_reference", "some_mcp_tool"] });
    const config = await resolveAgentRuntimeConfig(db, {
      tenantId: agent.tenantId,
      agentId: agent.id,
    });
    expect(config.tools).toEqual(BUILT_IN_TOOLS.filter((tool) => tool !== "read_skill_reference"));
    expect(config.blockedTools).toEqual(["read_skill_reference", "some_mcp_tool"]);

    await db
      .update(tenantSettings)
      .set({ builtInToolsEnabled: false })
      .where(eq(tenantSettings.tenantId, agent.tenantId));
    expect(
      (await resolveAgentRuntimeConfig(db, { tenantId: agent.tenantId, agentId: agent.id })).tools,
    ).toEqual([]);
  });

  it("lists the agent's enabled, visible skills, enabled MCP servers without secrets, and knowledge bases", async () => {
    const { agent, tenant } = await setup();
    const other = await createTenant(db);
    const visible = [
      await insertSkill(null, "builtin-skill"),
      await insertSkill(tenant.id, "own-skill"),
    ];
    const hidden = [
      await insertSkill(null, "disabled-skill", false),
      await insertSkill(other.id, "foreign-skill"),
    ];
    await db
      .insert(agentSkills)
      .values([...visible, ...hidden].map((skill) => ({ agentId: agent.id, skillId: skill.id })));
    const [enabledServer, disabledServer] = await db
      .insert(mcpServers)
      .values([
        {
          tenantId: tenant.id,
          name: "tickets",
          url: "https://bot:userinfo-secret@mcp.example.com/s/path-secret/mcp?token=query-secret#fragment-secret",
          authToken: "mcp-secret-token",
        },
        { tenantId: tenant.id, name: "off", url: "http://127.0.0.1:2/mcp", enabled: false },
      ])
      .returning();
    await db.insert(agentMcpServers).values(
      [enabledServer, disabledServer].map((server) => ({
        agentId: agent.id,
        mcpServerId: server!.id,
      })),
    );
    const [kb] = await db
      .insert(knowledgeBases)
      .values({ tenantId: tenant.id, name: "Handbook" })
      .returning();
    await db.insert(agentKnowledgeBases).values({ agentId: agent.id, knowledgeBaseId: kb!.id });

    const config = await resolveAgentRuntimeConfig(db, { tenantId: tenant.id, agentId: agent.id });
    expect(config.skills.map((skill) => skill.id).sort()).toEqual(
      visible.map((skill) => skill.id).sort(),
    );
    // Shown to viewers and stored in every run's snapshot: scheme, host and port only.
    expect(config.mcpServers).toEqual([
      { id: enabledServer!.id, name: "tickets", url: "https://mcp.example.com" },
    ]);
    for (const secret of [
      "mcp-secret-token",
      "userinfo-secret",
      "path-secret",
      "query-secret",
      "fragment-secret",
    ])
      expect(JSON.stringify(config)).not.toContain(secret);
    expect(config.knowledgeBases).toEqual([{ id: kb!.id, name: "Handbook" }]);
  });

  it("uses the template's guardrail, else the tenant default, else none", async () => {
    const both = await setup({ templateGuardrail: true, tenantDefaultGuardrail: true });
    expect(
      (await resolveAgentRuntimeConfig(db, { tenantId: both.tenant.id, agentId: both.agent.id }))
        .guardrail,
    ).toMatchObject({
      id: both.ownGuardrail?.id,
      source: "template",
    });
    const fallback = await setup({ tenantDefaultGuardrail: true });
    expect(
      (
        await resolveAgentRuntimeConfig(db, {
          tenantId: fallback.tenant.id,
          agentId: fallback.agent.id,
        })
      ).guardrail,
    ).toMatchObject({
      id: fallback.defaultGuardrail?.id,
      source: "tenant default",
    });
    const none = await setup();
    expect(
      (await resolveAgentRuntimeConfig(db, { tenantId: none.tenant.id, agentId: none.agent.id }))
        .guardrail,
    ).toBeNull();
  });

  it("acts for the invoker, else the paired user, and only for members of the tenant", async () => {
    const { agent, tenant } = await setup();
    const outsiderTenant = await createTenant(db);
    const invoker = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const paired = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const outsider = await createUser(db, [{ tenantId: outsiderTenant.id, role: "owner" }]);
    await db.update(agents).set({ pairedUserId: paired.id }).where(eq(agents.id, agent.id));
    const resolve = (currentUserId?: string) =>
      resolveAgentRuntimeConfig(db, { tenantId: tenant.id, agentId: agent.id, currentUserId });

    expect((await resolve(invoker.id)).currentUser).toMatchObject({
      email: invoker.email,
      source: "invoker",
    });
    expect((await resolve(outsider.id)).currentUser).toMatchObject({
      email: paired.email,
      source: "paired user",
    });
    expect((await resolve()).currentUser).toMatchObject({
      email: paired.email,
      source: "paired user",
    });

    await db.update(agents).set({ pairedUserId: outsider.id }).where(eq(agents.id, agent.id));
    expect((await resolve()).currentUser).toBeNull();
  });
});
