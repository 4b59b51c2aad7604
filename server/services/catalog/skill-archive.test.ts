import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { strToU8, zipSync, type Zippable } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, skills } from "@/server/db/schema";
import { createTenant, fingerprintTables, openTestDatabase } from "@/test/fixtures";
import { exportSkillArchive, importSkillArchive, previewSkillImport } from "./skill-archive";
import { readSkillArchive, SkillArchiveInvalidError } from "./skill-archive-zip";
import { syncBuiltInSkills } from "./skill-catalog";
import {
  saveSkill,
  SkillInvalidError,
  SkillSlugTakenError,
  SkillVersionNotFoundError,
  type SkillSaveScope,
} from "./skill-versions";

const { db } = openTestDatabase();

beforeAll(async () => {
  await syncBuiltInSkills(db, path.join(process.cwd(), "skills"));
});

const scopeOf = (tenantId: string): SkillSaveScope => ({
  tenantId,
  userId: null,
  audit: { actor: { type: "system", id: null }, origin: null },
});

const SKILL_MD = `---
name: Standup notes
description: Writes the team's standup notes.
inputs:
  type: object
  required: [day]
  properties:
    day: { type: string, format: date, title: Day }
---

Write the notes for the day.
`;

const zipOf = (files: Record<string, string | Uint8Array>, level: 0 | 9 = 9) =>
  zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, content]) => [
        name,
        typeof content === "string" ? strToU8(content) : content,
      ]),
    ) as Zippable,
    { level },
  );
/** Until some session of this database waits on a row lock. */
async function waitForALockWaiter() {
  for (;;) {
    const waiting = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((waiting[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SkillArchiveInvalidError || error instanceof SkillInvalidError))
    throw new Error(`expected a refusal, got ${String(error)}`);
  return error.fieldErrors;
}

describe("export and import", () => {
  it("exports a tenant skill and imports it back under another slug with the same version hash", async () => {
    const tenant = await createTenant(db);
    const saved = await saveSkill(db, scopeOf(tenant.id), {
      slug: "standup",
      name: "Standup notes",
      description: "Writes the team's standup notes.",
      inputsSchema: { type: "object", properties: { day: { type: "string", title: "Day" } } },
      instructions: "Write the notes.",
      referenceFiles: [{ path: "references/format.md", content: "Use bullets." }],
    });
    const exported = await exportSkillArchive(db, tenant.id, { slug: "standup" });
    expect(exported).toMatchObject({ fileName: "standup.zip", versionHash: saved.versionHash });
    const contents = readSkillArchive(fromBase64(exported.archive));
    expect(contents.folder).toBe("standup");
    expect(contents.referenceFiles).toEqual([
      { path: "references/format.md", content: "Use bullets." },
    ]);

    const preview = await previewSkillImport(db, tenant.id, {
      archive: fromBase64(exported.archive),
      slug: "standup-copy",
    });
    expect(preview).toMatchObject({
      slug: "standup-copy",
      problems: [],
      existing: null,
      skill: { name: "Standup notes", versionHash: saved.versionHash },
    });
    const imported = await importSkillArchive(db, scopeOf(tenant.id), {
      archive: fromBase64(exported.archive),
      slug: "standup-copy",
    });
    expect(imported.versionHash).toBe(saved.versionHash);
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.targetId, imported.id));
    expect(entry).toMatchObject({ action: "skill.create", metadata: { via: "import" } });
  });

  it("imports an exported skill again after it was deleted, as a new skill with the same hash", async () => {
    const tenant = await createTenant(db);
    const saved = await importSkillArchive(db, scopeOf(tenant.id), {
      archive: zipOf({ "standup/SKILL.md": SKILL_MD }),
    });
    const exported = await exportSkillArchive(db, tenant.id, { slug: "standup" });
    await db.update(skills).set({ deletedAt: new Date() }).where(eq(skills.id, saved.id));
    await expect(exportSkillArchive(db, tenant.id, { slug: "standup" })).rejects.toMatchObject({
      code: "skill_not_found",
    });
    const archive = fromBase64(exported.archive);
    expect(await previewSkillImport(db, tenant.id, { archive })).toMatchObject({ existing: null });
    const again = await importSkillArchive(db, scopeOf(tenant.id), { archive });
    expect(again.id).not.toBe(saved.id);
    expect(again.versionHash).toBe(saved.versionHash);
  });

  it("exports a built-in skill, and importing it gives the hash the preview showed", async () => {
    const tenant = await createTenant(db);
    const exported = await exportSkillArchive(db, tenant.id, { slug: "meeting-prep" });
    const archive = fromBase64(exported.archive);
    const preview = await previewSkillImport(db, tenant.id, { archive });
    // The built-in's own slug: the tenant's skill would shadow it.
    expect(preview).toMatchObject({ slug: "meeting-prep", shadowsBuiltIn: true, existing: null });
    const imported = await importSkillArchive(db, scopeOf(tenant.id), {
      archive,
      slug: "my-meeting-prep",
    });
    expect(imported.versionHash).toBe(preview.skill?.versionHash);
  });

  it("exports an earlier version by its hash, and refuses a hash the skill never had", async () => {
    const tenant = await createTenant(db);
    const base = {
      name: "Notes",
      description: "Notes.",
      inputsSchema: { type: "object" as const, properties: {} },
      referenceFiles: [],
    };
    const first = await saveSkill(db, scopeOf(tenant.id), {
      slug: "notes",
      ...base,
      instructions: "One.",
    });
    await saveSkill(db, scopeOf(tenant.id), {
      skillId: first.id,
      slug: "notes",
      ...base,
      instructions: "Two.",
    });
    const old = await exportSkillArchive(db, tenant.id, {
      slug: "notes",
      versionHash: first.versionHash,
    });
    expect(readSkillArchive(fromBase64(old.archive)).skillMd).toContain("One.");
    await expect(
      exportSkillArchive(db, tenant.id, { slug: "notes", versionHash: "0000000000ab" }),
    ).rejects.toBeInstanceOf(SkillVersionNotFoundError);
  });

  it("previews a zip over an existing skill as a diff, and replaces it only as previewed", async () => {
    const tenant = await createTenant(db);
    const current = await importSkillArchive(db, scopeOf(tenant.id), {
      archive: zipOf({ "standup/SKILL.md": SKILL_MD }),
    });
    const changed = zipOf({
      "standup/SKILL.md": SKILL_MD.replace("for the day.", "for the day, briefly."),
      "standup/references/style.md": "Short.",
    });
    const preview = await previewSkillImport(db, tenant.id, { archive: changed });
    expect(preview.existing).toMatchObject({ versionHash: current.versionHash, unchanged: false });
    expect(preview.existing?.diff).toContain("-Write the notes for the day.");
    expect(preview.existing?.diff).toContain("+Write the notes for the day, briefly.");
    expect(preview.existing?.diff).toContain("+++ b/references/style.md");

    await expect(
      importSkillArchive(db, scopeOf(tenant.id), { archive: changed }),
    ).rejects.toBeInstanceOf(SkillSlugTakenError);
    const replaced = await importSkillArchive(db, scopeOf(tenant.id), {
      archive: changed,
      replace: { versionHash: current.versionHash },
    });
    expect(replaced).toMatchObject({ id: current.id, changed: true });
    expect(replaced.versionHash).toBe(preview.skill?.versionHash);
    // The preview is stale now: replacing with it again is refused.
    await expect(
      importSkillArchive(db, scopeOf(tenant.id), {
        archive: changed,
        replace: { versionHash: current.versionHash },
      }),
    ).rejects.toMatchObject({ code: "skill_changed_since_preview" });
  });

  it("refuses a replace when the skill is saved again between the preview check and the write", async () => {
    const tenant = await createTenant(db);
    const current = await importSkillArchive(db, scopeOf(tenant.id), {
      archive: zipOf({ "standup/SKILL.md": SKILL_MD }),
    });
    const changed = zipOf({
      "standup/SKILL.md": SKILL_MD.replace("for the day.", "for the day, briefly."),
    });
    let importing: Promise<unknown> = Promise.resolve();
    await db.transaction(async (tx) => {
      await tx.select().from(skills).where(eq(skills.id, current.id)).for("update");
      // The import reads the skill (still the previewed version), then waits for the lock.
      importing = importSkillArchive(db, scopeOf(tenant.id), {
        archive: changed,
        replace: { versionHash: current.versionHash },
      }).then(
        () => null,
        (caught: unknown) => caught,
      );
      await waitForALockWaiter();
      await tx.update(skills).set({ versionHash: "0123456789ab" }).where(eq(skills.id, current.id));
    });
    expect(await importing).toMatchObject({ code: "skill_changed_since_preview" });
    const [after] = await db.select().from(skills).where(eq(skills.id, current.id));
    expect(after?.instructions).toBe("Write the notes for the day.");
  });

  it("reads SKILL.md at the top of the zip when a slug is chosen, and asks for one otherwise", async () => {
    const tenant = await createTenant(db);
    const archive = zipOf({ "SKILL.md": SKILL_MD, "references/a.md": "A." });
    expect(await previewSkillImport(db, tenant.id, { archive })).toMatchObject({
      slug: null,
      problems: [{ field: "slug", message: expect.stringContaining("choose a slug") }],
    });
    expect(await previewSkillImport(db, tenant.id, { archive, slug: "top" })).toMatchObject({
      slug: "top",
      referenceFiles: ["references/a.md"],
      problems: [],
    });
  });

  it("names the file and the frontmatter field at fault in the preview", async () => {
    const tenant = await createTenant(db);
    const archive = zipOf({ "x/SKILL.md": SKILL_MD.replace("title: Day", "title: 3") });
    expect(await previewSkillImport(db, tenant.id, { archive })).toMatchObject({
      skill: null,
      problems: [{ file: "SKILL.md", field: "inputs.properties.day.title" }],
    });
  });

  it("skips folders and the files zip tools add (__MACOSX, .DS_Store)", () => {
    const contents = readSkillArchive(
      zipOf({ "x/SKILL.md": SKILL_MD, "__MACOSX/x/._SKILL.md": "junk", "x/.DS_Store": "junk" }),
    );
    expect(contents).toMatchObject({ folder: "x", referenceFiles: [] });
  });
});

describe("a bad zip is refused with a clear error and writes nothing", () => {
  const cases: [string, () => Uint8Array, string][] = [
    [
      "a path that climbs out",
      () => zipOf({ "x/SKILL.md": SKILL_MD, "x/references/../../evil.md": "evil" }),
      "the path leaves the skill folder",
    ],
    [
      "an absolute path",
      () => zipOf({ "x/SKILL.md": SKILL_MD, "/etc/evil.md": "evil" }),
      "the path leaves the skill folder",
    ],
    [
      "an oversized zip",
      () => zipOf({ "x/SKILL.md": SKILL_MD, ...noise(600 * 1024) }, 0),
      "a skill zip may be at most 512 KB",
    ],
    [
      "a zip bomb",
      () =>
        zipOf({
          "x/SKILL.md": SKILL_MD,
          "x/references/bomb.md": new Uint8Array(8 * 1024 * 1024).fill(65),
        }),
      "unpacks to more than 5.0 MB",
    ],
    [
      "too many entries",
      () =>
        zipOf({
          "x/SKILL.md": SKILL_MD,
          ...Object.fromEntries(
            Array.from({ length: 50 }, (_, index) => [`x/references/r${index}.md`, "R."]),
          ),
        }),
      "the zip holds more than 50 entries",
    ],
    [
      "a file that is not UTF-8 text",
      () =>
        zipOf({ "x/SKILL.md": SKILL_MD, "x/references/a.md": new Uint8Array([0xff, 0xfe, 0x00]) }),
      "x/references/a.md: is not UTF-8 text",
    ],
    ["a zip without SKILL.md", () => zipOf({ "x/README.md": "Hello" }), "the zip has no SKILL.md"],
    [
      "an unknown file type",
      () => zipOf({ "x/SKILL.md": SKILL_MD, "x/scripts/run.sh": "rm -rf /" }),
      "x/scripts/run.sh: is not part of a skill",
    ],
    [
      "a file that is not a zip",
      () => strToU8("not a zip at all"),
      "the file is not a zip archive",
    ],
    [
      "invalid frontmatter (the field named)",
      () => zipOf({ "x/SKILL.md": SKILL_MD.replace("name: Standup notes\n", "") }),
      'SKILL.md frontmatter field "name": is required',
    ],
    [
      "two skills in one zip",
      () => zipOf({ "a/SKILL.md": SKILL_MD, "b/SKILL.md": SKILL_MD }),
      "more than one skill (a, b)",
    ],
  ];
  for (const [what, archiveOf, message] of cases)
    it(`refuses ${what}`, async () => {
      const tenant = await createTenant(db);
      const archive = archiveOf();
      const before = await fingerprintTables(db);
      const errors = await refusal(importSkillArchive(db, scopeOf(tenant.id), { archive }));
      expect(Object.values(errors).flat().join("\n")).toContain(message);
      expect(await fingerprintTables(db)).toEqual(before);
      expect(
        await db
          .select()
          .from(skills)
          .where(and(eq(skills.tenantId, tenant.id))),
      ).toHaveLength(0);
    });
});

/** Reference files of random text that does not compress, `bytes` in all. */
function noise(bytes: number): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let index = 0; index * 60_000 < bytes; index += 1)
    files[`x/references/noise-${index}.md`] = crypto
      .getRandomValues(new Uint8Array(60_000))
      .map((byte) => 32 + (byte % 90));
  return files;
}
