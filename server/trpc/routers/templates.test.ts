import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import type { TemplateInput } from "@/lib/schemas/templates";
import { agents, auditLog } from "@/server/db/schema";
import { env } from "@/server/env";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure as failure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const member = async (tenantId: string, role: MemberRole) =>
  (await signedInMember(db, auth, tenantId, role)).caller;

const input = (overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  name: "Analyst",
  description: "Careful and brief.",
  systemPrompt: "You are a careful analyst.",
  defaultModel: "anthropic:claude-haiku-4-5",
  blockedTools: ["current_time"],
  guardrailId: null,
  maxSteps: 6,
  timeoutSeconds: 120,
  approvalTools: [],
  approveDeliverable: false,
  approvalTimeoutSeconds: 86_400,
  ...overrides,
});

describe("templates router", () => {
  it("lets an admin create, edit, duplicate and delete a template, each change audited with its before/after", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const guardrail = await admin.guardrails.create({
      name: "Strict",
      description: "",
      deniedTerms: [],
      deniedPatterns: [],
      pii: "mask",
      maxDeliverableChars: null,
      isTenantDefault: false,
    });
    const { id } = await admin.templates.create(input());
    await admin.templates.update({
      templateId: id,
      template: input({ guardrailId: guardrail.id, maxSteps: 10, defaultModel: null }),
    });
    expect(await admin.templates.get({ templateId: id })).toMatchObject({
      name: "Analyst",
      guardrail: { id: guardrail.id, name: "Strict" },
      maxSteps: 10,
      defaultModel: null,
      blockedTools: ["current_time"],
      agents: [],
    });
    const copy = await admin.templates.duplicate({ templateId: id });
    expect((await admin.templates.get({ templateId: copy.id })).name).toBe("Analyst (copy)");
    await admin.templates.delete({ templateId: copy.id });
    await admin.templates.delete({ templateId: id });
    expect((await admin.templates.list()).map((row) => row.name)).toEqual(["Template"]);

    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.targetId, id)))
      .orderBy(asc(auditLog.at));
    expect(entries.map((entry) => entry.action)).toEqual([
      "template.create",
      "template.update",
      "template.delete",
    ]);
    expect(entries[1]?.metadata).toEqual({
      name: "Analyst",
      changes: [
        {
          field: "Default model",
          before: "anthropic:claude-haiku-4-5",
          after: "deployment default",
        },
        { field: "Guardrail", before: "tenant default", after: "Strict" },
        { field: "Maximum steps", before: "6", after: "10" },
      ],
    });
  });

  it("refuses a duplicate name, an unknown provider and a timeout past the stale bound with field errors, changing nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const before = await fingerprintTables(db);
    expect(await failure(admin.templates.create(input({ name: "Template" })))).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: ["is already the name of another template"] },
    });
    const invalid = await failure(
      admin.templates.create(
        input({ defaultModel: "acme:large", timeoutSeconds: env.RUN_STALE_AFTER_SECONDS }),
      ),
    );
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(Object.keys(invalid.fieldErrors ?? {}).sort()).toEqual([
      "defaultModel",
      "timeoutSeconds",
    ]);
    expect(
      await failure(admin.templates.create(input({ maxSteps: 51, blockedTools: ["a b"] }))),
    ).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { maxSteps: ["must be at most 50"] } });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("refuses to delete a template agents use, naming them", async () => {
    const { tenant, template } = await createTenantWithSkill(db);
    await db
      .insert(agents)
      .values({ tenantId: tenant.id, name: "Backup", templateId: template.id });
    const admin = await member(tenant.id, "admin");
    const before = await fingerprintTables(db);
    expect(await failure(admin.templates.delete({ templateId: template.id }))).toEqual({
      code: "CONFLICT",
      message:
        'Template "Template" is used by agents "Agent", "Backup". Move them to another template first.',
      fieldErrors: undefined,
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("answers another tenant's template, and another tenant's guardrail in a template, as not found", async () => {
    const ours = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    const theirAdmin = await member(theirs.tenant.id, "admin");
    const theirGuardrail = await theirAdmin.guardrails.create({
      name: "Theirs",
      description: "",
      deniedTerms: [],
      deniedPatterns: [],
      pii: "off",
      maxDeliverableChars: null,
      isTenantDefault: false,
    });
    const admin = await member(ours.tenant.id, "admin");
    const templateId = theirs.template.id;
    for (const call of [
      () => admin.templates.get({ templateId }),
      () => admin.templates.update({ templateId, template: input() }),
      () => admin.templates.duplicate({ templateId }),
      () => admin.templates.delete({ templateId }),
    ])
      expect(await failure(call())).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await failure(admin.templates.create(input({ guardrailId: theirGuardrail.id }))),
    ).toMatchObject({
      code: "NOT_FOUND",
      fieldErrors: { guardrailId: ["was not found; choose another guardrail"] },
    });
    expect((await admin.templates.list()).map((row) => row.id)).toEqual([ours.template.id]);
  });

  it("offers the bounds the form shows before the server enforces them", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const viewer = await member(tenant.id, "viewer");
    expect(await viewer.templates.limits()).toEqual({
      maxTimeoutSeconds: env.RUN_STALE_AFTER_SECONDS - 60,
    });
  });
});
