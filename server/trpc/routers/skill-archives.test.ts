import { eq } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { skills } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
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
const base64Zip = (files: Record<string, string>) =>
  Buffer.from(
    zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)]))),
  ).toString("base64");

describe("skillArchives router", () => {
  it("lets a viewer export, and an admin preview and import the zip as a new skill with the same hash", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const viewer = await member(tenant.id, "viewer");
    const admin = await member(tenant.id, "admin");
    // The fixture's row is not stored canonically; saving it through an import makes it so.
    const exported = await viewer.skillArchives.export({ slug: skill.slug });
    expect(exported.fileName).toBe(`${skill.slug}.zip`);

    const preview = await admin.skillArchives.previewImport({
      archive: exported.archive,
      slug: "copy",
    });
    expect(preview).toMatchObject({ slug: "copy", problems: [], existing: null });
    const imported = await admin.skillArchives.import({ archive: exported.archive, slug: "copy" });
    expect(imported.versionHash).toBe(preview.skill?.versionHash);
    const again = await viewer.skillArchives.export({ slug: "copy" });
    expect(again.versionHash).toBe(imported.versionHash);
    const roundTrip = await admin.skillArchives.previewImport({ archive: again.archive });
    expect(roundTrip.skill?.versionHash).toBe(imported.versionHash);
    expect(roundTrip.existing).toMatchObject({ unchanged: true, diff: "" });
  });

  it("refuses the import to operators and viewers, and writes nothing", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const { archive } = await (
      await member(tenant.id, "viewer")
    ).skillArchives.export({ slug: skill.slug });
    for (const role of ["viewer", "operator"] as const) {
      const caller = await member(tenant.id, role);
      const before = await fingerprintTables(db);
      expect(await failure(caller.skillArchives.import({ archive, slug: "x" }))).toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await failure(caller.skillArchives.previewImport({ archive }))).toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await fingerprintTables(db)).toEqual(before);
    }
  });

  it("answers a bad zip with its problems as field errors", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    expect(
      await failure(
        admin.skillArchives.import({
          archive: base64Zip({ "x/SKILL.md": "---\nname: X\n---\n\nDo.\n", "x/run.sh": "ls" }),
        }),
      ),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { archive: [expect.stringContaining("x/run.sh: is not part of a skill")] },
    });
    expect(
      await failure(
        admin.skillArchives.import({
          archive: base64Zip({ "x/SKILL.md": "---\nname: X\n---\n\nDo.\n" }),
        }),
      ),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { archive: ['SKILL.md frontmatter field "description": is required'] },
    });
    expect(
      await failure(admin.skillArchives.previewImport({ archive: "not base64!" })),
    ).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("must be a zip file"),
    });
    expect(await db.select().from(skills).where(eq(skills.slug, "x"))).toHaveLength(0);
  });

  it("answers an unknown slug as not found, and a taken slug as a conflict on the slug", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    expect(await failure(admin.skillArchives.export({ slug: "no-such-skill" }))).toMatchObject({
      code: "NOT_FOUND",
    });
    const { archive } = await admin.skillArchives.export({ slug: skill.slug });
    expect(await failure(admin.skillArchives.import({ archive }))).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { slug: [expect.any(String)] },
    });
  });
});
