import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { auditLog, memberships, sessions, tenants, users } from "@/server/db/schema";
import { callerFor, createTenant, createUser, openTestDatabase, signIn } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  const headers = await signIn(auth, user.email);
  const [membership] = await db.select({ id: memberships.id }).from(memberships).where(and(eq(memberships.userId, user.id), eq(memberships.organizationId, tenantId)));
  return { ...user, memberId: membership!.id, headers, caller: await callerFor(db, auth, headers) };
}
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}
const auditOf = (tenantId: string) =>
  db.select({ action: auditLog.action, actorType: auditLog.actorType, actorId: auditLog.actorId, targetType: auditLog.targetType, targetId: auditLog.targetId, metadata: auditLog.metadata }).from(auditLog).where(eq(auditLog.tenantId, tenantId)).orderBy(auditLog.id);
const roleOf = async (memberId: string) => (await db.select({ role: memberships.role }).from(memberships).where(eq(memberships.id, memberId)))[0]?.role ?? null;
const newEmail = () => `new-${randomUUID().slice(0, 8)}@Example.test`;

describe("members router", () => {
  it("lists the tenant's members with a marker on the caller, and nobody else's", async () => {
    const tenant = await createTenant(db);
    const other = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    const stranger = await member(other.id, "owner");
    const list = await admin.caller.members.list();
    expect(list.map(({ email, role, isYou }) => ({ email, role, isYou }))).toEqual([
      { email: admin.email, role: "admin", isYou: true },
      { email: viewer.email, role: "viewer", isYou: false },
    ]);
    expect(list[0]).toMatchObject({ id: admin.memberId, name: expect.any(String), joinedAt: expect.any(Date) });
    expect(JSON.stringify(list)).not.toContain(stranger.email);
  });

  it("creates an account with an initial password for a new email, which then signs in to the tenant", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const added = await admin.caller.members.add({ email, name: "Nora New", role: "operator", password: "first-password" });
    expect(added).toMatchObject({ email: email.toLowerCase(), name: "Nora New", role: "operator", accountCreated: true });

    const headers = await signIn(auth, email.toLowerCase(), "first-password");
    const newcomer = await callerFor(db, auth, headers);
    expect((await newcomer.viewer.get()).activeTenant).toMatchObject({ id: tenant.id, role: "operator" });
    expect(await auditOf(tenant.id)).toEqual([
      { action: "member.add", actorType: "user", actorId: admin.id, targetType: "user", targetId: added.userId, metadata: { email: email.toLowerCase(), role: "operator", accountCreated: true } },
    ]);
  });

  it("adds an existing account by email without touching its name or password", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const existing = await createUser(db, [{ tenantId: elsewhere.id, role: "owner" }]);
    const [before] = await db.select({ name: users.name }).from(users).where(eq(users.id, existing.id));
    const added = await admin.caller.members.add({ email: existing.email.toUpperCase(), name: "Ignored", role: "viewer", password: "not-their-password" });
    expect(added).toMatchObject({ userId: existing.id, name: before!.name, role: "viewer", accountCreated: false });
    await signIn(auth, existing.email); // still the fixture password
    expect((await admin.caller.members.list()).map((row) => row.email)).toContain(existing.email);
  });

  it("refuses an existing member, a new email without a password, a short password and a role above the adder's, writing nothing", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    const email = newEmail();
    expect(await failure(admin.caller.members.add({ email: viewer.email, role: "operator" }))).toEqual({ code: "CONFLICT", message: `${viewer.email} is already a member of this tenant.` });
    expect(await failure(admin.caller.members.add({ email, role: "viewer" }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("set an initial password") });
    expect(await failure(admin.caller.members.add({ email, role: "viewer", password: "short" }))).toMatchObject({ code: "BAD_REQUEST", message: "The initial password needs 8 to 128 characters." });
    expect(await failure(admin.caller.members.add({ email, role: "owner", password: "long-enough" }))).toEqual({ code: "FORBIDDEN", message: "You cannot give the owner role: it is above your own (admin)." });
    expect(await failure(admin.caller.members.add({ email: "not-an-email", role: "viewer", password: "long-enough" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.select().from(users).where(eq(users.email, email.toLowerCase()))).toEqual([]);
    expect(await roleOf(viewer.memberId)).toBe("viewer");
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it("changes a role with one audit entry, and a no-op change writes none", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    const behindProxy = await callerFor(db, auth, new Headers({ cookie: admin.headers.get("cookie") ?? "", "x-forwarded-for": "203.0.113.7, 10.0.0.1" }));
    expect(await behindProxy.members.updateRole({ memberId: viewer.memberId, role: "admin" })).toMatchObject({ role: "admin", changed: true });
    expect(await admin.caller.members.updateRole({ memberId: viewer.memberId, role: "admin" })).toMatchObject({ changed: false });
    expect(await db.select({ origin: auditLog.origin }).from(auditLog).where(eq(auditLog.tenantId, tenant.id))).toEqual([{ origin: "203.0.113.7" }]);
    expect(await roleOf(viewer.memberId)).toBe("admin");
    expect(await auditOf(tenant.id)).toEqual([
      { action: "member.role_change", actorType: "user", actorId: admin.id, targetType: "user", targetId: viewer.id, metadata: { email: viewer.email, from: "viewer", to: "admin" } },
    ]);
    // The new role takes effect on the member's next request.
    await viewer.caller.members.list();
  });

  it("refuses raising anyone above the actor, an admin touching an owner, and demoting the last owner", async () => {
    const tenant = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    expect(await failure(admin.caller.members.updateRole({ memberId: operator.memberId, role: "owner" }))).toEqual({ code: "FORBIDDEN", message: "You cannot give the owner role: it is above your own (admin)." });
    expect(await failure(admin.caller.members.updateRole({ memberId: owner.memberId, role: "viewer" }))).toEqual({ code: "FORBIDDEN", message: `${owner.email} is an owner, above your own role; only an owner can change them.` });
    expect(await failure(owner.caller.members.updateRole({ memberId: owner.memberId, role: "admin" }))).toEqual({
      code: "PRECONDITION_FAILED",
      message: `${owner.email} is the tenant's last owner and cannot be demoted. Make another member owner first.`,
    });
    expect(await failure(operator.caller.members.updateRole({ memberId: operator.memberId, role: "viewer" }))).toMatchObject({ code: "FORBIDDEN" });
    expect([await roleOf(owner.memberId), await roleOf(operator.memberId)]).toEqual(["owner", "operator"]);
    expect(await auditOf(tenant.id)).toEqual([]);

    // With a second owner, an owner may step down.
    await owner.caller.members.updateRole({ memberId: admin.memberId, role: "owner" });
    await owner.caller.members.updateRole({ memberId: owner.memberId, role: "admin" });
    expect([await roleOf(owner.memberId), await roleOf(admin.memberId)]).toEqual(["admin", "owner"]);
  });

  it("keeps one owner when another change to the owners is in flight: membership changes of a tenant take turns", async () => {
    const tenant = await createTenant(db);
    const first = await member(tenant.id, "owner");
    const second = await member(tenant.id, "owner");
    // Another request that has begun demoting the second owner and has not committed yet.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const inFlight = db.transaction(async (tx) => {
      await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenant.id)).for("no key update");
      lockTaken();
      await released;
      await tx.update(memberships).set({ role: "admin" }).where(eq(memberships.id, second.memberId));
    });
    await taken;
    const stepDown = failure(first.caller.members.updateRole({ memberId: first.memberId, role: "admin" }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await inFlight;
    expect(await stepDown).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await roleOf(first.memberId)).toBe("owner");
  });

  it("removes a member with one audit entry; their session leaves the tenant and they can be added again", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    await db.insert(memberships).values({ id: randomUUID(), organizationId: elsewhere.id, userId: operator.id, role: "viewer" });
    expect(await admin.caller.members.remove({ memberId: operator.memberId })).toMatchObject({ removedSelf: false });
    expect(await roleOf(operator.memberId)).toBeNull();
    const [session] = await db.select({ active: sessions.activeOrganizationId }).from(sessions).where(eq(sessions.userId, operator.id));
    expect(session!.active).toBe(elsewhere.id);
    expect((await (await callerFor(db, auth, operator.headers)).viewer.get()).activeTenant).toMatchObject({ id: elsewhere.id });
    expect(await auditOf(tenant.id)).toEqual([
      { action: "member.remove", actorType: "user", actorId: admin.id, targetType: "user", targetId: operator.id, metadata: { email: operator.email, role: "operator" } },
    ]);
    await admin.caller.members.add({ email: operator.email, role: "viewer" });
    expect((await admin.caller.members.list()).find((row) => row.email === operator.email)).toMatchObject({ role: "viewer" });
  });

  it("refuses removing an owner as an admin and the last owner as anyone; lets a member remove themselves", async () => {
    const tenant = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const admin = await member(tenant.id, "admin");
    expect(await failure(admin.caller.members.remove({ memberId: owner.memberId }))).toEqual({ code: "FORBIDDEN", message: `${owner.email} is an owner, above your own role; only an owner can remove them.` });
    expect(await failure(owner.caller.members.remove({ memberId: owner.memberId }))).toEqual({
      code: "PRECONDITION_FAILED",
      message: `${owner.email} is the tenant's last owner and cannot be removed. Make another member owner first.`,
    });
    expect(await auditOf(tenant.id)).toEqual([]);
    expect(await admin.caller.members.remove({ memberId: admin.memberId })).toMatchObject({ removedSelf: true });
    expect(await failure(admin.caller.members.list())).toMatchObject({ code: "FORBIDDEN" });
    expect((await owner.caller.members.list()).map((row) => row.email)).toEqual([owner.email]);
  });

  it("answers 404 for the auth library's own member, invitation and tenant endpoints, so every change goes through the audited service", async () => {
    const tenant = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const viewer = await member(tenant.id, "viewer");
    const organizationId = tenant.id;
    const post = (path: string, body: unknown) =>
      auth.handler(
        new Request(`${process.env.BETTER_AUTH_URL}/api/auth${path}`, {
          method: "POST",
          headers: { cookie: owner.headers.get("cookie") ?? "", "content-type": "application/json", origin: process.env.BETTER_AUTH_URL ?? "" },
          body: JSON.stringify(body),
        }),
      );
    const attempts = {
      "/organization/update-member-role": { memberId: viewer.memberId, role: "owner", organizationId },
      "/organization/remove-member": { memberIdOrEmail: viewer.memberId, organizationId },
      "/organization/invite-member": { email: newEmail().toLowerCase(), role: "viewer", organizationId },
      "/organization/update": { organizationId, data: { name: "Renamed behind Skillrun's back" } },
      "/organization/leave": { organizationId },
    };
    for (const [path, body] of Object.entries(attempts)) expect({ path, status: (await post(path, body)).status }).toEqual({ path, status: 404 });
    expect([await roleOf(viewer.memberId), await roleOf(owner.memberId)]).toEqual(["viewer", "owner"]);
    // The same handler still serves what needs no permission, such as switching tenants.
    expect((await post("/organization/set-active", { organizationId })).status).toBe(200);
  });

  it("answers another tenant's member exactly like an unknown one", async () => {
    const tenant = await createTenant(db);
    const other = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const theirs = await member(other.id, "viewer");
    const foreign = await failure(owner.caller.members.remove({ memberId: theirs.memberId }));
    const unknown = await failure(owner.caller.members.updateRole({ memberId: "no-such-member", role: "viewer" }));
    expect(foreign.code).toBe("NOT_FOUND");
    expect(foreign.message.replace(theirs.memberId, "<id>")).toBe(unknown.message.replace("no-such-member", "<id>"));
    expect(await roleOf(theirs.memberId)).toBe("viewer");
    expect(await auditOf(other.id)).toEqual([]);
  });
});
