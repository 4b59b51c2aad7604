import { randomUUID } from "node:crypto";
import { type TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { memberships, skills } from "@/server/db/schema";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { callerFor, createTenant, createUser, signIn, openTestDatabase } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

async function insertSkill(values: { tenantId: string | null; slug: string; enabled?: boolean }) {
  await db.insert(skills).values({
    tenantId: values.tenantId,
    origin: values.tenantId ? "tenant" : "builtin",
    slug: values.slug,
    name: `Skill ${values.slug}`,
    description: "A test skill.",
    versionHash: randomUUID().slice(0, 12),
    ...inputsColumnsOf({
      type: "object",
      properties: { topic: { type: "string", title: "Topic" } },
    }),
    instructions: "Do the thing.",
    enabled: values.enabled ?? true,
  });
}

describe("skills.list", () => {
  let tenantA: { id: string };
  let tenantB: { id: string };
  let userA: { email: string };
  let userB: { email: string };

  beforeAll(async () => {
    tenantA = await createTenant(db, "Tenant A");
    tenantB = await createTenant(db, "Tenant B");
    userA = await createUser(db, [{ tenantId: tenantA.id, role: "viewer" }]);
    userB = await createUser(db, [{ tenantId: tenantB.id, role: "owner" }]);
    await insertSkill({ tenantId: null, slug: "shared-builtin" });
    await insertSkill({ tenantId: null, slug: "retired-builtin", enabled: false });
    await insertSkill({ tenantId: tenantA.id, slug: "a-private" });
    await insertSkill({ tenantId: tenantB.id, slug: "b-private" });
  });

  it("shows a member the built-in catalog and their own tenant's skills, with input counts", async () => {
    const caller = await callerFor(db, auth, await signIn(auth, userA.email));
    const listed = await caller.skills.list();
    expect(listed.map((skill) => skill.slug).sort()).toEqual(["a-private", "shared-builtin"]);
    expect(listed.every((skill) => skill.inputCount === 1)).toBe(true);
  });

  it("never shows another tenant's private skill", async () => {
    const caller = await callerFor(db, auth, await signIn(auth, userB.email));
    const slugs = (await caller.skills.list()).map((skill) => skill.slug);
    expect(slugs).toContain("b-private");
    expect(slugs).not.toContain("a-private");
  });

  it("refuses a caller without a session", async () => {
    const caller = await callerFor(db, auth);
    await expect(caller.skills.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    } satisfies Partial<TRPCError>);
    await expect(caller.viewer.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refuses a forged session cookie", async () => {
    const caller = await callerFor(
      db,
      auth,
      new Headers({ cookie: "better-auth.session_token=forged.value" }),
    );
    await expect(caller.skills.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refuses a signed-in user who belongs to no tenant", async () => {
    const loner = await createUser(db, []);
    const caller = await callerFor(db, auth, await signIn(auth, loner.email));
    await expect(caller.skills.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const viewer = await caller.viewer.get();
    expect(viewer.activeTenant).toBeNull();
    expect(viewer.tenants).toEqual([]);
  });
});

describe("viewer.get", () => {
  it("opens a session on the user's first tenant and lists every membership with its role", async () => {
    const first = await createTenant(db, "First");
    const second = await createTenant(db, "Second");
    const user = await createUser(db, [
      { tenantId: first.id, role: "operator" },
      { tenantId: second.id, role: "admin" },
    ]);
    const caller = await callerFor(db, auth, await signIn(auth, user.email));
    const viewer = await caller.viewer.get();
    expect(viewer.activeTenant).toMatchObject({ id: first.id, role: "operator" });
    expect(viewer.tenants.map((tenant) => [tenant.id, tenant.role])).toEqual([
      [first.id, "operator"],
      [second.id, "admin"],
    ]);
  });

  it("stops serving a tenant's data once the membership is gone", async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const headers = await signIn(auth, user.email);
    await db.delete(memberships).where(eq(memberships.userId, user.id));
    const caller = await callerFor(db, auth, headers);
    await expect(caller.skills.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
