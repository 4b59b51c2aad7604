import { createHash, randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { auditLog, invitations, memberships, sessions, tenants } from "@/server/db/schema";
import { acceptInvitationAsUser, findInvitation } from "@/server/services/access/invitations";
import { callerFor, createTenant, createUser, openTestDatabase, signIn } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  const headers = await signIn(auth, user.email);
  const [membership] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.userId, user.id), eq(memberships.organizationId, tenantId)));
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
  db
    .select({
      action: auditLog.action,
      actorType: auditLog.actorType,
      actorId: auditLog.actorId,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .where(eq(auditLog.tenantId, tenantId))
    .orderBy(auditLog.id);
const roleOf = async (memberId: string) =>
  (
    await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(eq(memberships.id, memberId))
  )[0]?.role ?? null;
const newEmail = () => `new-${randomUUID().slice(0, 8)}@Example.test`;
const tokenOf = (path: string) => path.replace(/^\/invite\//, "");
const SEVEN_DAYS = 7 * 24 * 60 * 60 * 1000;

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
    expect(list[0]).toMatchObject({
      id: admin.memberId,
      name: expect.any(String),
      joinedAt: expect.any(Date),
    });
    expect(JSON.stringify(list)).not.toContain(stranger.email);
  });

  it("invites with a one-time link whose token only the answer holds, audited in the same transaction", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const before = Date.now();
    const invitation = await admin.caller.members.invite({ email, role: "operator" });
    const token = invitation.path.replace(/^\/invite\//, "");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(invitation).toEqual({
      id: createHash("sha256").update(token).digest("hex"),
      email: email.toLowerCase(),
      role: "operator",
      expiresAt: expect.any(Date),
      path: `/invite/${token}`,
    });
    expect(invitation.expiresAt.getTime() - before).toBeGreaterThanOrEqual(SEVEN_DAYS - 5_000);
    expect(invitation.expiresAt.getTime() - before).toBeLessThanOrEqual(SEVEN_DAYS + 5_000);
    // The database keeps the hash, never the token.
    expect(
      JSON.stringify(
        await db.select().from(invitations).where(eq(invitations.organizationId, tenant.id)),
      ),
    ).not.toContain(token);

    expect(await admin.caller.members.invitations()).toEqual([
      {
        id: invitation.id,
        email: email.toLowerCase(),
        role: "operator",
        createdAt: expect.any(Date),
        expiresAt: invitation.expiresAt,
        inviterName: expect.any(String),
        inviterEmail: admin.email,
      },
    ]);
    // Inviting is not joining.
    expect((await admin.caller.members.list()).map((row) => row.email)).toEqual([admin.email]);
    expect(await auditOf(tenant.id)).toEqual([
      {
        action: "member.invite",
        actorType: "user",
        actorId: admin.id,
        targetType: "invitation",
        targetId: invitation.id,
        metadata: {
          email: email.toLowerCase(),
          role: "operator",
          expiresAt: invitation.expiresAt.toISOString(),
        },
      },
    ]);
  });

  it("answers an invitation for an email with an account exactly like one for an email without", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const existing = await createUser(db, [{ tenantId: elsewhere.id, role: "owner" }]);
    const shape = (answer: {
      id: string;
      email: string;
      path: string;
      expiresAt: Date;
      role: string;
    }) => ({
      keys: Object.keys(answer).sort(),
      role: answer.role,
      idLength: answer.id.length,
      pathLength: answer.path.length,
      expiresIn: Math.round((answer.expiresAt.getTime() - Date.now()) / 60_000),
    });
    const known = await admin.caller.members.invite({ email: existing.email, role: "viewer" });
    const unknown = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    expect(shape(known)).toEqual(shape(unknown));
    expect(JSON.stringify(known)).not.toContain(existing.id);
    const audit = await auditOf(tenant.id);
    expect(audit.map((entry) => Object.keys(entry.metadata as object).sort())).toEqual([
      ["email", "expiresAt", "role"],
      ["email", "expiresAt", "role"],
    ]);
  });

  it("refuses an existing member, a role above the inviter's and a malformed email, writing nothing", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    expect(
      await failure(
        admin.caller.members.invite({ email: viewer.email.toUpperCase(), role: "operator" }),
      ),
    ).toEqual({ code: "CONFLICT", message: `${viewer.email} is already a member of this tenant.` });
    expect(
      await failure(admin.caller.members.invite({ email: newEmail(), role: "owner" })),
    ).toEqual({
      code: "FORBIDDEN",
      message: "You cannot give the owner role: it is above your own (admin).",
    });
    expect(
      await failure(admin.caller.members.invite({ email: "not-an-email", role: "viewer" })),
    ).toMatchObject({ code: "BAD_REQUEST" });
    expect(
      await failure(viewer.caller.members.invite({ email: newEmail(), role: "viewer" })),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(
      await db.select().from(invitations).where(eq(invitations.organizationId, tenant.id)),
    ).toEqual([]);
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it("replaces a pending invitation when the same email is invited again: the old link stops working", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const first = await admin.caller.members.invite({ email, role: "viewer" });
    const second = await admin.caller.members.invite({
      email: email.toUpperCase(),
      role: "operator",
    });
    expect(second.path).not.toBe(first.path);
    expect(
      (await admin.caller.members.invitations()).map(({ id, role }) => ({ id, role })),
    ).toEqual([{ id: second.id, role: "operator" }]);
    expect(await findInvitation(db, tokenOf(first.path))).toBeNull();
    expect(await findInvitation(db, tokenOf(second.path))).toMatchObject({
      email: email.toLowerCase(),
      role: "operator",
      tenantId: tenant.id,
    });
    expect((await auditOf(tenant.id)).map((entry) => entry.metadata)).toEqual([
      expect.not.objectContaining({ replacedPending: true }),
      expect.objectContaining({ replacedPending: true, role: "operator" }),
    ]);
  });

  it("revokes a pending invitation with one audit entry; its link stops working and a second revoke finds nothing", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const invitation = await admin.caller.members.invite({ email, role: "viewer" });
    expect(await admin.caller.members.revokeInvitation({ invitationId: invitation.id })).toEqual({
      id: invitation.id,
    });
    expect(await admin.caller.members.invitations()).toEqual([]);
    expect(await findInvitation(db, tokenOf(invitation.path))).toBeNull();
    expect(
      await failure(admin.caller.members.revokeInvitation({ invitationId: invitation.id })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect((await auditOf(tenant.id)).at(-1)).toEqual({
      action: "member.invite_revoked",
      actorType: "user",
      actorId: admin.id,
      targetType: "invitation",
      targetId: invitation.id,
      metadata: { email: email.toLowerCase(), role: "viewer" },
    });
  });

  it("lists only pending invitations that still work", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const live = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    const expired = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(invitations.id, expired.id));
    expect((await admin.caller.members.invitations()).map((row) => row.id)).toEqual([live.id]);
  });

  it("changes a role with one audit entry, and a no-op change writes none", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    const behindProxy = await callerFor(
      db,
      auth,
      new Headers({
        cookie: admin.headers.get("cookie") ?? "",
        "x-forwarded-for": "203.0.113.7, 10.0.0.1",
      }),
    );
    expect(
      await behindProxy.members.updateRole({ memberId: viewer.memberId, role: "admin" }),
    ).toMatchObject({ role: "admin", changed: true });
    expect(
      await admin.caller.members.updateRole({ memberId: viewer.memberId, role: "admin" }),
    ).toMatchObject({ changed: false });
    expect(
      await db
        .select({ origin: auditLog.origin })
        .from(auditLog)
        .where(eq(auditLog.tenantId, tenant.id)),
    ).toEqual([{ origin: "203.0.113.7" }]);
    expect(await roleOf(viewer.memberId)).toBe("admin");
    expect(await auditOf(tenant.id)).toEqual([
      {
        action: "member.role_change",
        actorType: "user",
        actorId: admin.id,
        targetType: "user",
        targetId: viewer.id,
        metadata: { email: viewer.email, from: "viewer", to: "admin" },
      },
    ]);
    // The new role takes effect on the member's next request.
    await viewer.caller.members.list();
  });

  it("refuses raising anyone above the actor, an admin touching an owner, and demoting the last owner", async () => {
    const tenant = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    expect(
      await failure(
        admin.caller.members.updateRole({ memberId: operator.memberId, role: "owner" }),
      ),
    ).toEqual({
      code: "FORBIDDEN",
      message: "You cannot give the owner role: it is above your own (admin).",
    });
    expect(
      await failure(admin.caller.members.updateRole({ memberId: owner.memberId, role: "viewer" })),
    ).toEqual({
      code: "FORBIDDEN",
      message: `${owner.email} is an owner, above your own role; only an owner can change them.`,
    });
    expect(
      await failure(owner.caller.members.updateRole({ memberId: owner.memberId, role: "admin" })),
    ).toEqual({
      code: "PRECONDITION_FAILED",
      message: `${owner.email} is the tenant's last owner and cannot be demoted. Make another member owner first.`,
    });
    expect(
      await failure(
        operator.caller.members.updateRole({ memberId: operator.memberId, role: "viewer" }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect([await roleOf(owner.memberId), await roleOf(operator.memberId)]).toEqual([
      "owner",
      "operator",
    ]);
    expect(await auditOf(tenant.id)).toEqual([]);

    // With a second owner, an owner may step down.
    await owner.caller.members.updateRole({ memberId: admin.memberId, role: "owner" });
    await owner.caller.members.updateRole({ memberId: owner.memberId, role: "admin" });
    expect([await roleOf(owner.memberId), await roleOf(admin.memberId)]).toEqual([
      "admin",
      "owner",
    ]);
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
      await tx
        .select({ id: tenants.id })
        .from(tenants)
        .where(eq(tenants.id, tenant.id))
        .for("no key update");
      lockTaken();
      await released;
      await tx
        .update(memberships)
        .set({ role: "admin" })
        .where(eq(memberships.id, second.memberId));
    });
    await taken;
    const stepDown = failure(
      first.caller.members.updateRole({ memberId: first.memberId, role: "admin" }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await inFlight;
    expect(await stepDown).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(await roleOf(first.memberId)).toBe("owner");
  });

  it("decides with the actor's role as it is once the tenant is locked: an owner demoted meanwhile cannot remove or re-role an owner", async () => {
    const tenant = await createTenant(db);
    const first = await member(tenant.id, "owner");
    const second = await member(tenant.id, "owner");
    const third = await member(tenant.id, "admin");
    // A third owner, so the last-owner rule is not what stops the changes below.
    await member(tenant.id, "owner");
    // Another request has locked the tenant and is demoting `first`; the procedure below reads
    // first's role (still owner, committed) before it waits for the lock.
    const demoteWhileWaiting = async (to: MemberRole, attempt: () => Promise<unknown>) => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let lockTaken!: () => void;
      const taken = new Promise<void>((resolve) => (lockTaken = resolve));
      const inFlight = db.transaction(async (tx) => {
        await tx
          .select({ id: tenants.id })
          .from(tenants)
          .where(eq(tenants.id, tenant.id))
          .for("no key update");
        await tx.update(memberships).set({ role: to }).where(eq(memberships.id, first.memberId));
        lockTaken();
        await released;
      });
      await taken;
      const outcome = failure(attempt());
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await inFlight;
      return outcome;
    };
    expect(
      await demoteWhileWaiting("admin", () =>
        first.caller.members.remove({ memberId: second.memberId }),
      ),
    ).toEqual({
      code: "FORBIDDEN",
      message: `${second.email} is an owner, above your own role; only an owner can remove them.`,
    });
    expect(await roleOf(second.memberId)).toBe("owner");
    await db.update(memberships).set({ role: "owner" }).where(eq(memberships.id, first.memberId));
    expect(
      await demoteWhileWaiting("admin", () =>
        first.caller.members.updateRole({ memberId: second.memberId, role: "viewer" }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await roleOf(second.memberId)).toBe("owner");
    await db.update(memberships).set({ role: "owner" }).where(eq(memberships.id, first.memberId));
    // Demoted below admin meanwhile: no member change at all, not even on a lower role.
    expect(
      await demoteWhileWaiting("viewer", () =>
        first.caller.members.updateRole({ memberId: third.memberId, role: "operator" }),
      ),
    ).toEqual({
      code: "FORBIDDEN",
      message: "This needs the admin role or higher.",
    });
    expect(await roleOf(third.memberId)).toBe("admin");
    await db.update(memberships).set({ role: "owner" }).where(eq(memberships.id, first.memberId));
    expect(
      await demoteWhileWaiting("operator", () =>
        first.caller.members.invite({ email: newEmail(), role: "viewer" }),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it("removes a member with one audit entry; their session leaves the tenant and they can be invited again", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const operator = await member(tenant.id, "operator");
    await db.insert(memberships).values({
      id: randomUUID(),
      organizationId: elsewhere.id,
      userId: operator.id,
      role: "viewer",
    });
    expect(await admin.caller.members.remove({ memberId: operator.memberId })).toMatchObject({
      removedSelf: false,
    });
    expect(await roleOf(operator.memberId)).toBeNull();
    const [session] = await db
      .select({ active: sessions.activeOrganizationId })
      .from(sessions)
      .where(eq(sessions.userId, operator.id));
    expect(session!.active).toBe(elsewhere.id);
    expect(
      (await (await callerFor(db, auth, operator.headers)).viewer.get()).activeTenant,
    ).toMatchObject({ id: elsewhere.id });
    expect(await auditOf(tenant.id)).toEqual([
      {
        action: "member.remove",
        actorType: "user",
        actorId: admin.id,
        targetType: "user",
        targetId: operator.id,
        metadata: { email: operator.email, role: "operator" },
      },
    ]);
    const again = await admin.caller.members.invite({ email: operator.email, role: "viewer" });
    const [theirSession] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.userId, operator.id));
    await acceptInvitationAsUser(
      db,
      tokenOf(again.path),
      { userId: operator.id, sessionId: theirSession!.id },
      null,
    );
    expect(
      (await admin.caller.members.list()).find((row) => row.email === operator.email),
    ).toMatchObject({ role: "viewer" });
  });

  it("refuses removing an owner as an admin and the last owner as anyone; lets a member remove themselves", async () => {
    const tenant = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const admin = await member(tenant.id, "admin");
    expect(await failure(admin.caller.members.remove({ memberId: owner.memberId }))).toEqual({
      code: "FORBIDDEN",
      message: `${owner.email} is an owner, above your own role; only an owner can remove them.`,
    });
    expect(await failure(owner.caller.members.remove({ memberId: owner.memberId }))).toEqual({
      code: "PRECONDITION_FAILED",
      message: `${owner.email} is the tenant's last owner and cannot be removed. Make another member owner first.`,
    });
    expect(await auditOf(tenant.id)).toEqual([]);
    expect(await admin.caller.members.remove({ memberId: admin.memberId })).toMatchObject({
      removedSelf: true,
    });
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
          headers: {
            cookie: owner.headers.get("cookie") ?? "",
            "content-type": "application/json",
            origin: process.env.BETTER_AUTH_URL ?? "",
          },
          body: JSON.stringify(body),
        }),
      );
    const attempts = {
      "/organization/update-member-role": {
        memberId: viewer.memberId,
        role: "owner",
        organizationId,
      },
      "/organization/remove-member": { memberIdOrEmail: viewer.memberId, organizationId },
      "/organization/invite-member": {
        email: newEmail().toLowerCase(),
        role: "viewer",
        organizationId,
      },
      "/organization/update": { organizationId, data: { name: "Renamed behind Skillrun's back" } },
      "/organization/leave": { organizationId },
    };
    for (const [path, body] of Object.entries(attempts))
      expect({ path, status: (await post(path, body)).status }).toEqual({ path, status: 404 });
    expect([await roleOf(viewer.memberId), await roleOf(owner.memberId)]).toEqual([
      "viewer",
      "owner",
    ]);

    // Nor the reads that hand any member, a viewer included, every member's email or the invitations.
    const pending = await owner.caller.members.invite({ email: newEmail(), role: "viewer" });
    const get = (path: string, query: Record<string, string>, as = viewer) =>
      auth.handler(
        new Request(
          `${process.env.BETTER_AUTH_URL}/api/auth${path}?${new URLSearchParams(query).toString()}`,
          { headers: { cookie: as.headers.get("cookie") ?? "" } },
        ),
      );
    const reads = {
      "/organization/list-members": { organizationId },
      "/organization/get-full-organization": { organizationId },
      "/organization/list-invitations": { organizationId },
      "/organization/get-invitation": { id: pending.id },
      "/organization/list-user-invitations": {},
    };
    for (const [path, query] of Object.entries(reads)) {
      for (const as of [viewer, owner]) {
        const response = await get(path, query, as);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(await response.text()).not.toContain(owner.email);
      }
    }
    // What the console uses stays: the caller's own tenants and membership.
    expect((await get("/organization/list", {})).status).toBe(200);
    expect((await get("/organization/get-active-member", {})).status).toBe(200);
    // The same handler still serves what needs no permission, such as switching tenants.
    expect((await post("/organization/set-active", { organizationId })).status).toBe(200);
  });

  it("answers another tenant's member exactly like an unknown one", async () => {
    const tenant = await createTenant(db);
    const other = await createTenant(db);
    const owner = await member(tenant.id, "owner");
    const theirs = await member(other.id, "viewer");
    const foreign = await failure(owner.caller.members.remove({ memberId: theirs.memberId }));
    const unknown = await failure(
      owner.caller.members.updateRole({ memberId: "no-such-member", role: "viewer" }),
    );
    expect(foreign.code).toBe("NOT_FOUND");
    expect(foreign.message.replace(theirs.memberId, "<id>")).toBe(
      unknown.message.replace("no-such-member", "<id>"),
    );
    expect(await roleOf(theirs.memberId)).toBe("viewer");
    expect(await auditOf(other.id)).toEqual([]);
  });
});
