import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { agentSkills, auditLog, schedules, skills, webhooks } from "@/server/db/schema";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const DRAFT = {
  slug: "standup",
  name: "Standup notes",
  description: "Writes the team's standup notes.",
  inputsSchema: {
    type: "object" as const,
    required: ["day"],
    properties: {
      day: { type: "string", format: "date", title: "Day" },
      tone: { type: "string", enum: ["brief", "detailed"], title: "Tone" },
    },
  },
  instructions: "Write the notes for the day.",
  referenceFiles: [{ path: "references/format.md", content: "Use bullets." }],
};

type Caller = Awaited<ReturnType<typeof callerFor>>;
let setup: Awaited<ReturnType<typeof createTenantWithSkill>>;
let admin: Caller;
let viewer: Caller;

beforeAll(async () => {
  setup = await createTenantWithSkill(db);
  const adminUser = await createUser(db, [{ tenantId: setup.tenant.id, role: "admin" }]);
  const viewerUser = await createUser(db, [{ tenantId: setup.tenant.id, role: "viewer" }]);
  admin = await callerFor(db, auth, await signIn(auth, adminUser.email));
  viewer = await callerFor(db, auth, await signIn(auth, viewerUser.email));
});

describe("skills authoring", () => {
  it("creates, versions and reads back a skill: who saved each version and which is current", async () => {
    const created = await admin.skills.create({ ...DRAFT, slug: "standup-a" });
    const updated = await admin.skills.update({
      skillId: created.id,
      skill: { ...DRAFT, slug: "standup-a", instructions: "Write short notes." },
    });
    expect(updated.versionHash).not.toBe(created.versionHash);
    const versions = await viewer.skills.versions({ skillId: created.id });
    expect(versions.map((version) => [version.versionHash, version.current])).toEqual([
      [updated.versionHash, true],
      [created.versionHash, false],
    ]);
    expect(versions[0]?.author).toMatch(/^User /);
    const old = await viewer.skills.version({
      skillId: created.id,
      versionHash: created.versionHash,
    });
    expect(old.instructions).toBe(DRAFT.instructions);
    expect(old.referenceFiles).toEqual(DRAFT.referenceFiles);
    // A roll back saves the old content again: the old hash becomes current, as a new entry.
    const rolledBack = await admin.skills.update({
      skillId: created.id,
      skill: { ...DRAFT, slug: "standup-a" },
    });
    expect(rolledBack.versionHash).toBe(created.versionHash);
    expect((await viewer.skills.versions({ skillId: created.id }))[0]).toMatchObject({
      versionHash: created.versionHash,
      current: true,
    });
  });

  it("validates a draft without writing: schema errors carry their JSON pointer, a taken slug is named", async () => {
    await admin.skills.create({ ...DRAFT, slug: "standup-b" });
    const before = await fingerprintTables(db);
    const invalid = await admin.skills.validate({
      skill: {
        ...DRAFT,
        slug: "standup-b",
        inputsSchema: { type: "object", properties: { day: { type: "strin" } } },
      },
    });
    expect(invalid.versionHash).toBeNull();
    expect(invalid.fieldErrors.slug?.[0]).toMatch(/already the slug/);
    expect(invalid.fieldErrors.inputsSchema?.[0]).toMatch(/^\/properties\/day/);
    const twoTypos = await admin.skills.validate({
      skill: {
        ...DRAFT,
        slug: "standup-two",
        inputsSchema: {
          type: "object",
          properties: {
            day: { type: "strin", title: "Day" },
            tone: { type: "strng", title: "Tone" },
          },
        },
      },
    });
    expect(twoTypos.fieldErrors.inputsSchema).toEqual([
      expect.stringMatching(/^\/properties\/day/),
      expect.stringMatching(/^\/properties\/tone/),
    ]);
    const valid = await admin.skills.validate({ skill: { ...DRAFT, slug: "standup-new" } });
    expect(valid).toMatchObject({ fieldErrors: {}, versionHash: expect.any(String) });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("refuses a duplicate slug and an invalid schema with field errors, changing nothing", async () => {
    await admin.skills.create({ ...DRAFT, slug: "standup-c" });
    const before = await fingerprintTables(db);
    await expect(admin.skills.create({ ...DRAFT, slug: "standup-c" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      admin.skills.create({
        ...DRAFT,
        slug: "standup-d",
        inputsSchema: { type: "object", properties: { day: { type: "string", bogus: 1 } } },
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("disables, shows the disabled skill to readers but not to runs, and audits it", async () => {
    const created = await admin.skills.create({ ...DRAFT, slug: "standup-e" });
    await admin.skills.setEnabled({ skillId: created.id, enabled: false });
    expect(await viewer.skills.get({ slug: "standup-e" })).toMatchObject({ enabled: false });
    expect((await viewer.skills.list()).map((skill) => skill.slug)).not.toContain("standup-e");
    expect(
      (await viewer.skills.list({ includeDisabled: true })).map((skill) => skill.slug),
    ).toContain("standup-e");
    await expect(
      admin.runs.start({ skillSlug: "standup-e", inputs: { day: "2026-01-01" } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const entries = await db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.targetId, created.id));
    expect(entries.map((entry) => entry.action)).toContain("skill.disable");
  });

  it("deletes softly: the slug is free again, and a schedule and webhook that ran it say so", async () => {
    const created = await admin.skills.create({ ...DRAFT, slug: "standup-f" });
    await db.insert(agentSkills).values({ agentId: setup.agent.id, skillId: created.id });
    await db.insert(schedules).values({
      tenantId: setup.tenant.id,
      name: "Daily standup",
      skillId: created.id,
      agentId: setup.agent.id,
      cron: "0 9 * * *",
      timezone: "UTC",
    });
    expect((await viewer.skills.get({ slug: "standup-f" })).usedBy.schedules).toEqual([
      { id: expect.any(String), name: "Daily standup" },
    ]);
    expect(
      (await viewer.schedules.list({ skillId: created.id })).map((s) => s.skillProblem),
    ).toEqual([null]);
    await admin.skills.delete({ skillId: created.id });
    await expect(viewer.skills.get({ slug: "standup-f" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      (await viewer.schedules.list({ skillId: created.id })).map((s) => s.skillProblem),
    ).toEqual(["deleted"]);
    const again = await admin.skills.create({ ...DRAFT, slug: "standup-f" });
    expect(again.id).not.toBe(created.id);
    const [row] = await db.select().from(skills).where(eq(skills.id, created.id));
    expect(row).toMatchObject({ enabled: false, deletedAt: expect.any(Date) });
  });

  it("says on a webhook when its agent may not run the skill", async () => {
    const created = await admin.skills.create({ ...DRAFT, slug: "standup-g" });
    const webhook = await admin.webhooks.create({
      name: "Standup hook",
      skillId: setup.skill.id,
      agentId: null,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    });
    await db
      .update(webhooks)
      .set({ skillId: created.id })
      .where(and(eq(webhooks.id, webhook.id), eq(webhooks.tenantId, setup.tenant.id)));
    expect(await viewer.webhooks.get({ webhookId: webhook.id })).toMatchObject({
      skillProblem: "not_enabled",
    });
  });

  it("duplicates a skill into the tenant as <slug>-copy, and refuses a viewer", async () => {
    const copy = await admin.skills.duplicate({ skillId: setup.skill.id });
    expect(copy.slug).toBe(`${setup.skill.slug}-copy`);
    expect(await viewer.skills.get({ slug: copy.slug })).toMatchObject({
      name: `${setup.skill.name} (copy)`,
      origin: "tenant",
    });
    await expect(viewer.skills.duplicate({ skillId: setup.skill.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
