/**
 * M3: the tenant a tRPC request acts in is the one it names (the tab's), and only while it is
 * the session's active tenant. Two tabs share one session; a switch in one must not redirect
 * what the other sends.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { memberships, skills } from "@/server/db/schema";
import { createTRPCContext } from "@/server/trpc/init";
import { createCaller } from "@/server/trpc/root";
import {
  createTenant,
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";
import { inputsColumnsOf } from "@/server/services/catalog/skills";

const { db, auth } = openTestDatabase();

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

/** A request from a tab rendered for `tenantId` (null: one that names no tenant). */
async function tab(session: Headers, tenantId: string | null) {
  const headers = new Headers(session);
  if (tenantId) headers.set(TENANT_HEADER, tenantId);
  return createCaller(
    await createTRPCContext({ headers, db, auth, dispatcher: { send: async () => ({ ids: [] }) } }),
  );
}

async function builtInSkill() {
  const slug = `builtin-${randomUUID().slice(0, 8)}`;
  await db.insert(skills).values({
    tenantId: null,
    origin: "builtin",
    slug,
    name: "Built-in",
    description: "Shared by every tenant.",
    versionHash: "v1",
    ...inputsColumnsOf({ type: "object", properties: {} }),
    instructions: "Do it.",
  });
  return slug;
}

describe("the tenant a request names", () => {
  it("refuses a tab's mutations after a switch in another tab, writing nothing in either tenant, and serves the new tenant's tab", async () => {
    const acme = await createTenantWithSkill(db);
    const globex = await createTenantWithSkill(db);
    const admin = await createUser(db, [
      { tenantId: acme.tenant.id, role: "admin" },
      { tenantId: globex.tenant.id, role: "admin" },
    ]);
    const slug = await builtInSkill();
    const session = await signIn(auth, admin.email);
    expect((await (await tab(session, acme.tenant.id)).viewer.get()).activeTenant?.id).toBe(
      acme.tenant.id,
    );

    // Tab 2 switches the shared session to Globex, the way the tenant switcher does.
    await auth.api.setActiveOrganization({
      headers: session,
      body: { organizationId: globex.tenant.id },
    });
    const acmeTab = await tab(session, acme.tenant.id);
    const refusal = {
      code: "PRECONDITION_FAILED",
      message: `This tab shows ${acme.tenant.name}; you switched to ${globex.tenant.name} in another tab. Reload the page to continue in ${globex.tenant.name}.`,
    };
    const before = await fingerprintTables(db);
    expect(
      await failure(acmeTab.members.invite({ email: "contractor@example.test", role: "admin" })),
    ).toEqual(refusal);
    expect(await failure(acmeTab.apiKeys.create({ name: "CI", role: "admin" }))).toEqual(refusal);
    expect(await failure(acmeTab.runs.start({ skillSlug: slug, inputs: {} }))).toEqual(refusal);
    expect(await failure(acmeTab.skills.list())).toEqual(refusal);
    expect(await fingerprintTables(db)).toEqual(before);

    // A tab rendered after the switch works in Globex.
    const globexTab = await tab(session, globex.tenant.id);
    await globexTab.members.invite({ email: "contractor@example.test", role: "operator" });
    expect((await globexTab.members.invitations()).map((invitation) => invitation.email)).toEqual([
      "contractor@example.test",
    ]);
  });

  it("refuses a request that names no tenant", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
    const before = await fingerprintTables(db);
    expect(
      await failure(
        (await tab(await signIn(auth, admin.email), null)).apiKeys.create({
          name: "CI",
          role: "viewer",
        }),
      ),
    ).toEqual({
      code: "PRECONDITION_FAILED",
      message: "This request does not say which tenant it is for. Reload the page.",
    });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("answers a named tenant the user does not belong to, or that does not exist, as not a member, without naming it", async () => {
    const own = await createTenant(db);
    const foreign = await createTenant(db, `Foreign ${randomUUID().slice(0, 8)}`);
    const user = await createUser(db, [{ tenantId: own.id, role: "owner" }]);
    const session = await signIn(auth, user.email);
    for (const named of [foreign.id, randomUUID(), "not an id"]) {
      const refused = await failure((await tab(session, named)).members.list());
      expect(refused).toEqual({
        code: "FORBIDDEN",
        message: "You are not a member of this tenant.",
      });
    }
  });

  it("does not name a session's active tenant the user no longer belongs to", async () => {
    const kept = await createTenant(db);
    const lost = await createTenant(db, `Lost ${randomUUID().slice(0, 8)}`);
    const user = await createUser(db, [
      { tenantId: kept.id, role: "owner" },
      { tenantId: lost.id, role: "owner" },
    ]);
    const session = await signIn(auth, user.email);
    await auth.api.setActiveOrganization({ headers: session, body: { organizationId: lost.id } });
    await db.delete(memberships).where(eq(memberships.organizationId, lost.id));
    const refused = await failure((await tab(session, kept.id)).members.list());
    expect(refused).toEqual({
      code: "PRECONDITION_FAILED",
      message: `This tab shows ${kept.name}, which is no longer your active tenant. Reload the page.`,
    });
  });

  it("keeps a session without an active tenant asking for one", async () => {
    const user = await createUser(db);
    expect(await failure((await tab(await signIn(auth, user.email), null)).skills.list())).toEqual({
      code: "FORBIDDEN",
      message: "Choose a tenant first.",
    });
  });
});
