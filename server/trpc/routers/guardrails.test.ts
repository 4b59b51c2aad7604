import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { MAX_TEST_TEXT_CHARS, type GuardrailInput } from "@/lib/schemas/guardrails";
import { agentTemplates, auditLog, guardrails } from "@/server/db/schema";
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

const input = (overrides: Partial<GuardrailInput> = {}): GuardrailInput => ({
  name: "Strict",
  description: "No secrets out.",
  deniedTerms: ["confidential"],
  deniedPatterns: ["\\bproject\\s+x\\b"],
  pii: "mask",
  maxDeliverableChars: 20_000,
  isTenantDefault: false,
  ...overrides,
});

const defaults = async (tenantId: string) =>
  (
    await db
      .select({ name: guardrails.name })
      .from(guardrails)
      .where(and(eq(guardrails.tenantId, tenantId), eq(guardrails.isTenantDefault, true)))
  ).map((row) => row.name);

describe("guardrails router", () => {
  it("lets an admin create, edit, duplicate and delete a guardrail, each change audited with its before/after", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.guardrails.create(input());
    await admin.guardrails.update({
      guardrailId: id,
      guardrail: input({ deniedTerms: ["confidential", "secret"], pii: "block" }),
    });
    expect(await admin.guardrails.get({ guardrailId: id })).toMatchObject({
      name: "Strict",
      rules: { deniedTerms: ["confidential", "secret"], pii: "block", maxDeliverableChars: 20_000 },
    });
    const copy = await admin.guardrails.duplicate({ guardrailId: id });
    const copyAgain = await admin.guardrails.duplicate({ guardrailId: id });
    expect((await admin.guardrails.list()).map((row) => row.name)).toEqual([
      "Strict",
      "Strict (copy 2)",
      "Strict (copy)",
    ]);
    await admin.guardrails.delete({ guardrailId: copy.id });
    await admin.guardrails.delete({ guardrailId: copyAgain.id });

    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.targetId, id)))
      .orderBy(asc(auditLog.at));
    expect(entries.map((entry) => entry.action)).toEqual(["guardrail.create", "guardrail.update"]);
    expect(entries[1]?.metadata).toEqual({
      name: "Strict",
      changes: [
        { field: "Denied terms", before: "confidential", after: "confidential, secret" },
        { field: "Personal data", before: "masked", after: "blocked" },
      ],
    });
  });

  it("keeps one tenant default: making another the default unsets the previous one", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const first = await admin.guardrails.create(input({ name: "First", isTenantDefault: true }));
    await admin.guardrails.create(input({ name: "Second", isTenantDefault: true }));
    expect(await defaults(tenant.id)).toEqual(["Second"]);
    await admin.guardrails.update({
      guardrailId: first.id,
      guardrail: input({ name: "First", isTenantDefault: true }),
    });
    expect(await defaults(tenant.id)).toEqual(["First"]);
  });

  it("refuses a duplicate name and broken patterns with field errors, changing nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    await admin.guardrails.create(input());
    const before = await fingerprintTables(db);
    expect(await failure(admin.guardrails.create(input()))).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: ["is already the name of another guardrail"] },
    });
    const broken = await failure(
      admin.guardrails.create(
        input({
          name: "Broken",
          deniedPatterns: ["fine", "(unclosed", "(?=x)y", "(a)\\1"],
        }),
      ),
    );
    expect(broken.code).toBe("BAD_REQUEST");
    expect(broken.fieldErrors?.deniedPatterns?.[0]?.split("\n")).toEqual([
      "Pattern 2 is not a valid regular expression; check its brackets, parentheses and escapes.",
      "Pattern 3 uses a look-ahead, which guardrail patterns do not support: they are matched in linear time.",
      "Pattern 4 uses a back-reference, which guardrail patterns do not support: they are matched in linear time.",
    ]);
    const tooLong = await failure(
      admin.guardrails.create(input({ name: "Long", deniedPatterns: ["x".repeat(301)] })),
    );
    expect(tooLong.fieldErrors?.deniedPatterns).toEqual([
      "Pattern 1 is longer than 300 characters; shorten it.",
    ]);
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("accepts a look-behind and shapes that backtrack in RegExp, all matched in linear time", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    await expect(
      admin.guardrails.create(input({ deniedPatterns: ["(?<!not )allowed", "(a|a)*b", "(a+)+$"] })),
    ).resolves.toMatchObject({ id: expect.any(String) });
  });

  it("answers another tenant's guardrail as not found", async () => {
    const ours = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    const theirAdmin = await member(theirs.tenant.id, "admin");
    const { id } = await theirAdmin.guardrails.create(input());
    const admin = await member(ours.tenant.id, "admin");
    for (const call of [
      () => admin.guardrails.get({ guardrailId: id }),
      () => admin.guardrails.update({ guardrailId: id, guardrail: input() }),
      () => admin.guardrails.duplicate({ guardrailId: id }),
      () => admin.guardrails.delete({ guardrailId: id }),
    ])
      expect(await failure(call())).toMatchObject({ code: "NOT_FOUND" });
    expect(await admin.guardrails.list()).toEqual([]);
  });

  it("lets templates fall back to the tenant default when their guardrail is deleted", async () => {
    const { tenant, template } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.guardrails.create(input());
    await db
      .update(agentTemplates)
      .set({ guardrailId: id })
      .where(eq(agentTemplates.id, template.id));
    expect((await admin.guardrails.get({ guardrailId: id })).templates).toEqual([
      { id: template.id, name: "Template" },
    ]);
    await admin.guardrails.delete({ guardrailId: id });
    const [after] = await db
      .select({ guardrailId: agentTemplates.guardrailId })
      .from(agentTemplates)
      .where(eq(agentTemplates.id, template.id));
    expect(after?.guardrailId).toBeNull();
  });

  it("tests text with the runtime's checks: the match and where, the verdict, the masked text", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const viewer = await member(tenant.id, "viewer");
    const text = "Status of Project  X: mail ana@example.com";
    const result = await viewer.guardrails.test({ rules: input(), text });
    expect(result.denied).toEqual({
      kind: "pattern",
      pattern: "\\bproject\\s+x\\b",
      start: 10,
      end: 20,
    });
    expect(text.slice(10, 20)).toBe("Project  X");
    expect(result.verdict).toEqual({ ok: false, rule: "denied pattern /\\bproject\\s+x\\b/" });
    expect(result.masked).toEqual({
      text: "Status of Project  X: mail [email address removed]",
      counts: { email: 1 },
    });
    const clean = await viewer.guardrails.test({
      rules: input({ pii: "off" }),
      text: "nothing here",
    });
    expect(clean).toEqual({ denied: null, verdict: { ok: true, masked: {} }, masked: null });
  });

  it("lets a viewer test a pattern that backtracks in RegExp on the longest text, and answers", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const viewer = await member(tenant.id, "viewer");
    const result = await viewer.guardrails.test({
      rules: input({
        deniedPatterns: ["(a|a)*b", "(\\w|\\d)*x"],
        pii: "off",
        maxDeliverableChars: null,
      }),
      text: "a".repeat(MAX_TEST_TEXT_CHARS),
    });
    expect(result).toEqual({ denied: null, verdict: { ok: true, masked: {} }, masked: null });
  });

  it("refuses writes below admin", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const operator = await member(tenant.id, "operator");
    expect(await failure(operator.guardrails.create(input()))).toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
