/** L5: an API key acts for its creator, never above the creator's current role, and not at all once they are gone. */
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { memberships, users } from "@/server/db/schema";
import { createRunsApi } from "@/server/rest/runs-api";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { authenticateApiKey, createApiKey, effectiveKeyRole, listApiKeys } from "./api-keys";
import { removeMember, updateMemberRole } from "./members";

const { db } = openTestDatabase();
const api = createRunsApi({ db: () => db, dispatcher: { send: async () => ({ ids: [] }) } });
const audit = (userId: string) => ({ actor: { type: "user" as const, id: userId }, origin: null });

async function setup(creatorRole: MemberRole, keyRole: MemberRole) {
  const { tenant, skill } = await createTenantWithSkill(db);
  const owner = await createUser(db, [{ tenantId: tenant.id, role: "owner" }]);
  const creator = await createUser(db, [{ tenantId: tenant.id, role: creatorRole }]);
  const { key, id } = await createApiKey(
    db,
    { tenantId: tenant.id, userId: creator.id, userRole: creatorRole, audit: audit(creator.id) },
    { name: "CI", role: keyRole },
  );
  const [membership] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.userId, creator.id), eq(memberships.organizationId, tenant.id)));
  const ownerActor = {
    tenantId: tenant.id,
    userId: owner.id,
    role: "owner" as const,
    audit: audit(owner.id),
  };
  return { tenant, skill, creator, key, keyId: id, creatorMemberId: membership!.id, ownerActor };
}
const startWith = (key: string, slug: string) =>
  api.start(
    new Request("http://localhost/api/v1/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ skill: slug, inputs: {} }),
    }),
  );
const listWith = (key: string) =>
  api.list(
    new Request("http://localhost/api/v1/runs", { headers: { authorization: `Bearer ${key}` } }),
  );

describe("API keys act for their creator", () => {
  it("takes the lower of the key's role and the creator's current role", () => {
    expect(effectiveKeyRole("admin", "operator")).toBe("operator");
    expect(effectiveKeyRole("viewer", "owner")).toBe("viewer");
    expect(effectiveKeyRole("operator", "operator")).toBe("operator");
    expect(effectiveKeyRole("operator", null)).toBeNull();
    expect(effectiveKeyRole("operator", "superuser")).toBeNull();
  });

  it("loses what the creator loses on a demotion, at once, and gets it back with a promotion", async () => {
    const { skill, key, creatorMemberId, ownerActor, tenant } = await setup("admin", "operator");
    expect(await authenticateApiKey(db, key)).toMatchObject({
      tenantId: tenant.id,
      role: "operator",
    });
    await updateMemberRole(db, ownerActor, { memberId: creatorMemberId, role: "viewer" });
    expect(await authenticateApiKey(db, key)).toMatchObject({ role: "viewer" });
    expect((await startWith(key, skill.slug)).status).toBe(403);
    expect((await listWith(key)).status).toBe(200);
    await updateMemberRole(db, ownerActor, { memberId: creatorMemberId, role: "admin" });
    expect((await startWith(key, skill.slug)).status).toBe(201);
  });

  it("stops working (401) once the creator is removed from the tenant or their account is deleted", async () => {
    const removed = await setup("admin", "operator");
    await removeMember(db, removed.ownerActor, { memberId: removed.creatorMemberId });
    expect(await authenticateApiKey(db, removed.key)).toBeNull();
    expect((await listWith(removed.key)).status).toBe(401);

    const deleted = await setup("operator", "viewer");
    await db.delete(users).where(eq(users.id, deleted.creator.id));
    expect(await authenticateApiKey(db, deleted.key)).toBeNull();
    expect((await listWith(deleted.key)).status).toBe(401);
  });

  it("lists each key's creator and the role it acts with, null when the creator is no longer a member", async () => {
    const { tenant, creator, keyId, creatorMemberId, ownerActor } = await setup("admin", "admin");
    expect((await listApiKeys(db, tenant.id)).find((key) => key.id === keyId)).toMatchObject({
      role: "admin",
      effectiveRole: "admin",
      createdBy: { email: creator.email, isMember: true },
    });
    await updateMemberRole(db, ownerActor, { memberId: creatorMemberId, role: "operator" });
    expect((await listApiKeys(db, tenant.id)).find((key) => key.id === keyId)).toMatchObject({
      role: "admin",
      effectiveRole: "operator",
    });
    await removeMember(db, ownerActor, { memberId: creatorMemberId });
    expect((await listApiKeys(db, tenant.id)).find((key) => key.id === keyId)).toMatchObject({
      role: "admin",
      effectiveRole: null,
      createdBy: { email: creator.email, isMember: false },
    });
  });
});
