import { randomUUID } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { accounts, auditLog, invitations, memberships, sessions, users } from "@/server/db/schema";
import { appRouter } from "@/server/trpc/root";
import { callerFor, createTenant, createUser, openTestDatabase, signIn } from "@/test/fixtures";
import {
  acceptInvitationAsNewUser,
  acceptInvitationAsUser,
  findInvitation,
  InvitationAccountExistsError,
  InvitationInputError,
  InvitationInvalidError,
  InvitationWrongAccountError,
} from "./invitations";

const { db, auth } = openTestDatabase();
const passwords = await passwordPolicyOf(auth);

async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  const headers = await signIn(auth, user.email);
  return { ...user, headers, caller: await callerFor(db, auth, headers) };
}
/** A signed-in account's newest session, as the invitation page reads it. */
async function sessionOf(headers: Headers) {
  const session = await auth.api.getSession({ headers });
  if (!session) throw new Error("not signed in");
  return { userId: session.user.id, sessionId: session.session.id };
}
async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}
const tokenOf = (path: string) => path.replace(/^\/invite\//, "");
const newEmail = () => `invitee-${randomUUID().slice(0, 8)}@example.test`;
const membershipsOf = (userId: string) =>
  db
    .select({ tenantId: memberships.organizationId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, userId));
const statusOf = async (id: string) =>
  (
    await db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, id))
  )[0]?.status;
const auditOf = (tenantId: string) =>
  db
    .select({
      action: auditLog.action,
      actorId: auditLog.actorId,
      targetId: auditLog.targetId,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .where(eq(auditLog.tenantId, tenantId))
    .orderBy(auditLog.id);

describe("invitations", () => {
  it("shows the page's facts for a working link, and nothing for any other", async () => {
    const tenant = await createTenant(db, "Page Tenant");
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const invitation = await admin.caller.members.invite({ email, role: "operator" });
    expect(await findInvitation(db, tokenOf(invitation.path))).toEqual({
      email,
      role: "operator",
      expiresAt: invitation.expiresAt,
      tenantId: tenant.id,
      tenantName: "Page Tenant",
      accountExists: false,
    });
    for (const token of [
      "",
      "short",
      "x".repeat(43),
      tokenOf(invitation.path).slice(1) + "A",
      invitation.id,
      "../../etc/passwd",
    ]) {
      expect(await findInvitation(db, token)).toBeNull();
    }
  });

  it("a new person creates their own account from the link: account, membership and audit in one go, and a session that works", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const invitation = await admin.caller.members.invite({ email, role: "operator" });
    const token = tokenOf(invitation.path);

    const accepted = await acceptInvitationAsNewUser(
      db,
      token,
      { name: "  Nora New ", password: "nora-chose-this" },
      passwords,
      "198.51.100.4",
    );
    expect(accepted).toEqual({
      userId: expect.any(String),
      email,
      tenantId: tenant.id,
      role: "operator",
    });
    const [user] = await db
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, accepted.userId));
    expect(user).toEqual({ name: "Nora New", email });
    expect(await membershipsOf(accepted.userId)).toEqual([
      { tenantId: tenant.id, role: "operator" },
    ]);
    expect(await statusOf(invitation.id)).toBe("accepted");
    expect((await auditOf(tenant.id)).at(-1)).toEqual({
      action: "member.add",
      actorId: accepted.userId,
      targetId: accepted.userId,
      metadata: { email, role: "operator", invitedBy: admin.id, accountCreated: true },
    });
    const [entry] = await db
      .select({ origin: auditLog.origin, actorType: auditLog.actorType })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "member.add")));
    expect(entry).toEqual({ origin: "198.51.100.4", actorType: "user" });

    // The way the page signs them in: the library's own sign-in, with the password they chose.
    const newcomer = await callerFor(db, auth, await signIn(auth, email, "nora-chose-this"));
    expect((await newcomer.viewer.get()).activeTenant).toMatchObject({
      id: tenant.id,
      role: "operator",
    });

    // The link is spent.
    expect(await findInvitation(db, token)).toBeNull();
    expect(
      await rejection(
        acceptInvitationAsNewUser(
          db,
          token,
          { name: "Again", password: "another-password" },
          passwords,
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationInvalidError);
    expect(await admin.caller.members.invitations()).toEqual([]);
  });

  it("refuses a password outside the library's rules, a missing name, and an email that has an account, writing nothing", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const existing = await createUser(db, [{ tenantId: elsewhere.id, role: "viewer" }]);
    const fresh = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    const known = await admin.caller.members.invite({ email: existing.email, role: "viewer" });
    const short = await rejection(
      acceptInvitationAsNewUser(
        db,
        tokenOf(fresh.path),
        { name: "N", password: "short" },
        passwords,
        null,
      ),
    );
    expect(short).toBeInstanceOf(InvitationInputError);
    expect((short as Error).message).toBe("The password needs 8 to 128 characters.");
    expect(
      await rejection(
        acceptInvitationAsNewUser(
          db,
          tokenOf(fresh.path),
          { name: "N", password: "x".repeat(129) },
          passwords,
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationInputError);
    expect(
      await rejection(
        acceptInvitationAsNewUser(
          db,
          tokenOf(fresh.path),
          { name: "   ", password: "long-enough" },
          passwords,
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationInputError);
    expect(
      await rejection(
        acceptInvitationAsNewUser(
          db,
          tokenOf(known.path),
          { name: "Someone", password: "their-own-choice" },
          passwords,
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationAccountExistsError);
    expect([await statusOf(fresh.id), await statusOf(known.id)]).toEqual(["pending", "pending"]);
    expect(await membershipsOf(existing.id)).toEqual([{ tenantId: elsewhere.id, role: "viewer" }]);
    await signIn(auth, existing.email); // their password is untouched
    expect((await auditOf(tenant.id)).map((entry) => entry.action)).toEqual([
      "member.invite",
      "member.invite",
    ]);
  });

  it("an existing account accepts while signed in as itself: joined, switched to the tenant, audited, and idempotent", async () => {
    const tenant = await createTenant(db);
    const elsewhere = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const invitee = await member(elsewhere.id, "owner");
    const invitation = await admin.caller.members.invite({ email: invitee.email, role: "admin" });
    const token = tokenOf(invitation.path);
    expect(await findInvitation(db, token)).toMatchObject({ accountExists: true, role: "admin" });

    expect(await acceptInvitationAsUser(db, token, await sessionOf(invitee.headers), null)).toEqual(
      { tenantId: tenant.id, joined: true },
    );
    expect(await membershipsOf(invitee.id)).toEqual(
      expect.arrayContaining([
        { tenantId: tenant.id, role: "admin" },
        { tenantId: elsewhere.id, role: "owner" },
      ]),
    );
    expect(
      (await (await callerFor(db, auth, invitee.headers)).viewer.get()).activeTenant,
    ).toMatchObject({ id: tenant.id, role: "admin" });
    expect((await auditOf(tenant.id)).at(-1)).toEqual({
      action: "member.add",
      actorId: invitee.id,
      targetId: invitee.id,
      metadata: { email: invitee.email, role: "admin", invitedBy: admin.id, accountCreated: false },
    });

    // A second click: the same answer, nothing new written.
    const entries = (await auditOf(tenant.id)).length;
    expect(await acceptInvitationAsUser(db, token, await sessionOf(invitee.headers), null)).toEqual(
      { tenantId: tenant.id, joined: false },
    );
    expect(await auditOf(tenant.id)).toHaveLength(entries);
    expect(await findInvitation(db, token)).toBeNull();
  });

  it("refuses a signed-in account with another email, and changes nothing", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const bystander = await member((await createTenant(db)).id, "viewer");
    const invitation = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    const [before] = await db
      .select({ active: sessions.activeOrganizationId })
      .from(sessions)
      .where(eq(sessions.userId, bystander.id));
    expect(
      await rejection(
        acceptInvitationAsUser(
          db,
          tokenOf(invitation.path),
          await sessionOf(bystander.headers),
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationWrongAccountError);
    // The admin who made the link cannot take it either.
    expect(
      await rejection(
        acceptInvitationAsUser(db, tokenOf(invitation.path), await sessionOf(admin.headers), null),
      ),
    ).toBeInstanceOf(InvitationWrongAccountError);
    expect(await statusOf(invitation.id)).toBe("pending");
    expect(await membershipsOf(bystander.id)).toHaveLength(1);
    const [after] = await db
      .select({ active: sessions.activeOrganizationId })
      .from(sessions)
      .where(eq(sessions.userId, bystander.id));
    expect(after).toEqual(before);
  });

  it("refuses expired, revoked, replaced, used and unknown links the same way", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const invitee = await member((await createTenant(db)).id, "viewer");
    const expired = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(invitations.id, expired.id));
    const revoked = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    await admin.caller.members.revokeInvitation({ invitationId: revoked.id });
    const replaced = await admin.caller.members.invite({ email: invitee.email, role: "viewer" });
    const current = await admin.caller.members.invite({ email: invitee.email, role: "operator" });
    const used = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    await acceptInvitationAsNewUser(
      db,
      tokenOf(used.path),
      { name: "First", password: "first-password" },
      passwords,
      null,
    );

    const dead = {
      expired: tokenOf(expired.path),
      revoked: tokenOf(revoked.path),
      replaced: tokenOf(replaced.path),
      used: tokenOf(used.path),
      unknown: randomUUID(),
      lookalike: tokenOf(current.path).replace(/^./, (c) => (c === "A" ? "B" : "A")),
    };
    for (const [why, token] of Object.entries(dead)) {
      expect({ why, page: await findInvitation(db, token) }).toEqual({ why, page: null });
      const asNew = await rejection(
        acceptInvitationAsNewUser(
          db,
          token,
          { name: "Late", password: "late-password" },
          passwords,
          null,
        ),
      );
      const asUser = await rejection(
        acceptInvitationAsUser(db, token, await sessionOf(invitee.headers), null),
      );
      expect({ why, asNew: (asNew as Error).message, asUser: (asUser as Error).message }).toEqual({
        why,
        asNew: "This invitation is not valid.",
        asUser: "This invitation is not valid.",
      });
    }
    expect(await membershipsOf(invitee.id)).toHaveLength(1);
    // The current invitation still works, with its own role.
    await acceptInvitationAsUser(db, tokenOf(current.path), await sessionOf(invitee.headers), null);
    expect(await membershipsOf(invitee.id)).toEqual(
      expect.arrayContaining([{ tenantId: tenant.id, role: "operator" }]),
    );
  });

  it("the takeover is gone: another tenant's admin can neither set a victim's password for a victim's tenant nor attach an account", async () => {
    const evil = await createTenant(db, "Evil");
    const victim = await createTenant(db, "Victim");
    const evilAdmin = await member(evil.id, "admin");
    const victimAdmin = await member(victim.id, "admin");
    const alice = newEmail();

    // The old path (an admin sets a new account's password, or attaches an existing one) is gone.
    expect(
      Object.keys(appRouter._def.procedures).filter((path) => path.startsWith("members.")),
    ).toEqual(expect.not.arrayContaining(["members.add"]));

    // Evil invites alice and, holding its own link, creates "her" account with a password Evil knows…
    const evilInvitation = await evilAdmin.caller.members.invite({ email: alice, role: "viewer" });
    expect(await findInvitation(db, tokenOf(evilInvitation.path))).toMatchObject({
      tenantId: evil.id,
    });
    const planted = await acceptInvitationAsNewUser(
      db,
      tokenOf(evilInvitation.path),
      { name: "Alice", password: "evil-knows-this" },
      passwords,
      null,
    );
    // …which joins that account to Evil only.
    expect(await membershipsOf(planted.userId)).toEqual([{ tenantId: evil.id, role: "viewer" }]);

    // Victim's admin invites alice: nothing joins until the invitation is accepted.
    const victimInvitation = await victimAdmin.caller.members.invite({
      email: alice,
      role: "admin",
    });
    expect(await membershipsOf(planted.userId)).toEqual([{ tenantId: evil.id, role: "viewer" }]);
    const evilSession = await signIn(auth, alice, "evil-knows-this");
    const evilAsAlice = await callerFor(db, auth, evilSession);
    expect((await evilAsAlice.viewer.get()).tenants.map((tenant) => tenant.id)).toEqual([evil.id]);
    // Victim's link sets no password for an account that exists: it needs that account's own session.
    expect(
      await rejection(
        acceptInvitationAsNewUser(
          db,
          tokenOf(victimInvitation.path),
          { name: "Alice", password: "another-password" },
          passwords,
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationAccountExistsError);
    // Evil's admin, holding only Evil's link, gets nothing out of Victim's tenant with its own session.
    expect(
      await rejection(
        acceptInvitationAsUser(
          db,
          tokenOf(evilInvitation.path),
          await sessionOf(evilAdmin.headers),
          null,
        ),
      ),
    ).toBeInstanceOf(InvitationInvalidError);
    expect(await membershipsOf(evilAdmin.id)).toEqual([{ tenantId: evil.id, role: "admin" }]);
    expect(await findInvitation(db, tokenOf(victimInvitation.path))).toMatchObject({
      tenantId: victim.id,
      accountExists: true,
    });
    const [credential] = await db
      .select({ count: count() })
      .from(accounts)
      .where(eq(accounts.userId, planted.userId));
    expect(credential?.count).toBe(1);
  });

  it("two accepts of one link at once: exactly one joins", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const email = newEmail();
    const invitation = await admin.caller.members.invite({ email, role: "viewer" });
    const token = tokenOf(invitation.path);
    const results = await Promise.allSettled([
      acceptInvitationAsNewUser(
        db,
        token,
        { name: "One", password: "password-one" },
        passwords,
        null,
      ),
      acceptInvitationAsNewUser(
        db,
        token,
        { name: "Two", password: "password-two" },
        passwords,
        null,
      ),
      acceptInvitationAsNewUser(
        db,
        token,
        { name: "Three", password: "password-three" },
        passwords,
        null,
      ),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results)
      if (result.status === "rejected")
        expect(result.reason).toBeInstanceOf(InvitationInvalidError);
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    expect(await membershipsOf(user!.id)).toEqual([{ tenantId: tenant.id, role: "viewer" }]);
    expect(
      (await auditOf(tenant.id)).filter((entry) => entry.action === "member.add"),
    ).toHaveLength(1);

    // And an existing account clicking Accept in two tabs at once.
    const invitee = await member((await createTenant(db)).id, "viewer");
    const second = await admin.caller.members.invite({ email: invitee.email, role: "operator" });
    const signedIn = await sessionOf(invitee.headers);
    const both = await Promise.all([
      acceptInvitationAsUser(db, tokenOf(second.path), signedIn, null),
      acceptInvitationAsUser(db, tokenOf(second.path), signedIn, null),
    ]);
    expect(both.map((result) => result.joined).sort()).toEqual([false, true]);
    expect((await membershipsOf(invitee.id)).filter((row) => row.tenantId === tenant.id)).toEqual([
      { tenantId: tenant.id, role: "operator" },
    ]);
    expect(
      (await auditOf(tenant.id)).filter((entry) => entry.action === "member.add"),
    ).toHaveLength(2);
  });

  it("a revoke racing an accept: either the accept wins and the revoke finds nothing, or the link is dead", async () => {
    const tenant = await createTenant(db);
    const admin = await member(tenant.id, "admin");
    const invitation = await admin.caller.members.invite({ email: newEmail(), role: "viewer" });
    const [accepted, revoked] = await Promise.allSettled([
      acceptInvitationAsNewUser(
        db,
        tokenOf(invitation.path),
        { name: "Racer", password: "racer-password" },
        passwords,
        null,
      ),
      admin.caller.members.revokeInvitation({ invitationId: invitation.id }),
    ]);
    expect([accepted.status, revoked.status].sort()).toEqual(["fulfilled", "rejected"]);
    expect(await statusOf(invitation.id)).toBe(
      accepted.status === "fulfilled" ? "accepted" : "canceled",
    );
  });
});
