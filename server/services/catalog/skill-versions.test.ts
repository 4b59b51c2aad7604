import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agentSkills, auditLog, skills, skillVersions } from "@/server/db/schema";
import { createRun } from "@/server/services/runs/runs";
import { loadRunForTurn } from "@/server/services/runs/run-lifecycle";
import {
  createTenant,
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
} from "@/test/fixtures";
import { checkSkillDocument, renderSkillMd, type SkillDocument } from "./skill-document";
import { saveSkill, type SkillSaveScope } from "./skill-versions";

const { db } = openTestDatabase();

const scopeOf = (tenantId: string): SkillSaveScope => ({
  tenantId,
  userId: null,
  audit: { actor: { type: "system", id: null }, origin: null },
});

const DOCUMENT: SkillDocument = {
  name: "Standup notes",
  description: "Writes the team's standup notes.",
  inputsSchema: {
    type: "object",
    required: ["day"],
    properties: {
      day: { type: "string", format: "date", title: "Day" },
      tone: { type: "string", enum: ["brief", "detailed"], title: "Tone" },
    },
  },
  instructions: "Write the notes for the day.",
  referenceFiles: [{ path: "references/format.md", content: "Use bullets." }],
};

describe("saveSkill", () => {
  it("creates a tenant skill and its first version, in canonical form, with an audit entry", async () => {
    const tenant = await createTenant(db);
    const saved = await saveSkill(db, scopeOf(tenant.id), { slug: "standup", ...DOCUMENT });
    const [row] = await db.select().from(skills).where(eq(skills.id, saved.id));
    expect(row).toMatchObject({
      tenantId: tenant.id,
      origin: "tenant",
      slug: "standup",
      versionHash: saved.versionHash,
    });
    expect(row?.summaryOrder).toEqual(["day", "tone"]);
    const versions = await db
      .select()
      .from(skillVersions)
      .where(eq(skillVersions.skillId, saved.id));
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      versionHash: saved.versionHash,
      instructions: DOCUMENT.instructions,
    });
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.targetId, saved.id));
    expect(entry).toMatchObject({ action: "skill.create", metadata: { name: "Standup notes" } });
  });

  it("gives the same content the same hash however it was formatted, and writes nothing for an unchanged save", async () => {
    const tenant = await createTenant(db);
    const saved = await saveSkill(db, scopeOf(tenant.id), { slug: "same", ...DOCUMENT });
    const again = await saveSkill(db, scopeOf(tenant.id), {
      skillId: saved.id,
      slug: "same",
      ...DOCUMENT,
      name: `  ${DOCUMENT.name} `,
      instructions: `\n${DOCUMENT.instructions}\n\n`,
    });
    expect(again).toEqual({ ...saved, changed: false });
    const checked = checkSkillDocument("same", DOCUMENT);
    if ("errors" in checked) throw new Error("valid document refused");
    expect(checked.skillMd).toBe(renderSkillMd(checked.document));
  });

  it("keeps every version: an edit adds one, and a roll back adds the old hash again", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const scope = scopeOf(tenant.id);
    const first = await saveSkill(db, scope, { slug: "notes", ...DOCUMENT });
    const second = await saveSkill(db, scope, {
      skillId: first.id,
      slug: "notes",
      ...DOCUMENT,
      instructions: "Write longer notes.",
    });
    expect(second.versionHash).not.toBe(first.versionHash);
    const rolledBack = await saveSkill(db, scope, {
      skillId: first.id,
      slug: "notes",
      ...DOCUMENT,
    });
    expect(rolledBack.versionHash).toBe(first.versionHash);
    const hashes = await db
      .select({ hash: skillVersions.versionHash })
      .from(skillVersions)
      .where(eq(skillVersions.skillId, first.id))
      .orderBy(asc(skillVersions.createdAt));
    expect(hashes.map((row) => row.hash)).toEqual([
      first.versionHash,
      second.versionHash,
      first.versionHash,
    ]);
    const [update] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, first.id), eq(auditLog.action, "skill.update")))
      .orderBy(asc(auditLog.at))
      .limit(1);
    expect(update?.metadata).toMatchObject({
      changes: expect.arrayContaining([
        { field: "Version", before: first.versionHash, after: second.versionHash },
      ]),
    });
  });

  it("runs the version a run pinned, even after the skill moved on", async () => {
    const { tenant, agent } = await createTenantWithSkill(db);
    const scope = scopeOf(tenant.id);
    const first = await saveSkill(db, scope, {
      slug: "pinned",
      ...DOCUMENT,
      inputsSchema: { type: "object", properties: {} },
    });
    await db.insert(agentSkills).values({ agentId: agent.id, skillId: first.id });
    const started = await createRun(db, {
      tenantId: tenant.id,
      skill: { id: first.id },
      inputs: {},
      source: "manual",
    });
    await saveSkill(db, scope, {
      skillId: first.id,
      slug: "pinned",
      ...DOCUMENT,
      inputsSchema: { type: "object", properties: {} },
      instructions: "Something else entirely.",
    });
    const run = await loadRunForTurn(db, { runId: started.run.id, tenantId: tenant.id });
    expect(run?.skill?.instructions).toBe(DOCUMENT.instructions);
  });

  it("refuses invalid content and a taken slug with field errors, writing nothing", async () => {
    const tenant = await createTenant(db);
    await saveSkill(db, scopeOf(tenant.id), { slug: "taken", ...DOCUMENT });
    const before = await fingerprintTables(db);
    const invalid = await saveSkill(db, scopeOf(tenant.id), {
      slug: "Not A Slug",
      ...DOCUMENT,
      inputsSchema: {
        type: "object",
        properties: { day: { type: "string", title: "Day", formatt: "date" } },
      },
    } as never).catch((error: unknown) => error);
    expect(invalid).toMatchObject({
      code: "skill_invalid",
      fieldErrors: {
        slug: [expect.stringContaining("lowercase")],
        inputsSchema: [expect.stringMatching(/^\/properties|not a valid JSON Schema/)],
      },
    });
    const taken = await saveSkill(db, scopeOf(tenant.id), { slug: "taken", ...DOCUMENT }).catch(
      (error: unknown) => error,
    );
    expect(taken).toMatchObject({ kind: "conflict", fieldErrors: { slug: [expect.any(String)] } });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("will not save a new version of another tenant's skill or a built-in", async () => {
    const mine = await createTenant(db);
    const theirs = await createTenantWithSkill(db);
    const error = await saveSkill(db, scopeOf(mine.id), {
      skillId: theirs.skill.id,
      slug: "x",
      ...DOCUMENT,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "not_found" });
  });
});
