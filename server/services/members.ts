import { randomUUID } from "node:crypto";
import { and, asc, count, eq, ne } from "drizzle-orm";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole, roleAtLeast } from "@/lib/roles";
import type { Database, Transaction } from "@/server/db/client";
import { accounts, memberships, sessions, tenants, users } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "./audit";

/** Who is changing the membership list: a signed-in member of the tenant, their role in it, and what the audit log records. */
export type MemberActor = { tenantId: string; userId: string; role: MemberRole; audit: AuditContext };

/** The auth library's password rules and hasher, so accounts made here sign in like any other. */
export type PasswordPolicy = { hash: (password: string) => Promise<string>; minLength: number; maxLength: number };

export class MemberNotFoundError extends Error {
  readonly code = "member_not_found";
  constructor(memberId: string) {
    super(`Member ${memberId} was not found.`);
  }
}

export class MemberRoleAboveYoursError extends Error {
  readonly code = "role_above_yours";
  constructor(role: MemberRole, yours: MemberRole) {
    super(`You cannot give the ${role} role: it is above your own (${yours}).`);
  }
}

export class MemberAboveYouError extends Error {
  readonly code = "member_above_you";
  constructor(email: string, role: MemberRole, verb: "change" | "remove") {
    super(`${email} is ${role === "owner" ? "an" : "a"} ${role}, above your own role; only an owner can ${verb} them.`);
  }
}

export class LastOwnerError extends Error {
  readonly code = "last_owner";
  constructor(email: string, verb: "demote" | "remove") {
    super(`${email} is the tenant's last owner and cannot be ${verb === "demote" ? "demoted" : "removed"}. Make another member owner first.`);
  }
}

export class AlreadyMemberError extends Error {
  readonly code = "already_member";
  constructor(email: string) {
    super(`${email} is already a member of this tenant.`);
  }
}

export class InitialPasswordError extends Error {
  readonly code = "initial_password";
}

const asRole = (role: string): MemberRole => (isMemberRole(role) ? role : "viewer");

export async function listMembers(db: Database, scope: { tenantId: string; userId: string }) {
  const rows = await db
    .select({ id: memberships.id, userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, scope.tenantId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  return rows.map(({ userId, role, ...row }) => ({ ...row, role: asRole(role), isYou: userId === scope.userId }));
}

/**
 * Membership changes of one tenant take turns: the tenant row is locked for the transaction,
 * so two owners demoting each other at once cannot leave the tenant with none.
 */
async function lockTenant(tx: Transaction, tenantId: string) {
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for("no key update");
}

async function findMember(tx: Transaction, tenantId: string, memberId: string) {
  const [member] = await tx
    .select({ id: memberships.id, userId: memberships.userId, role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.id, memberId), eq(memberships.organizationId, tenantId)));
  if (!member) throw new MemberNotFoundError(memberId);
  return { ...member, role: asRole(member.role) };
}

async function countOwners(tx: Transaction, tenantId: string) {
  const [row] = await tx
    .select({ owners: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, tenantId), eq(memberships.role, "owner")));
  return row?.owners ?? 0;
}

/**
 * Adds the account with this email to the tenant, creating it with an initial password when
 * the email has none yet (public sign-up is off: this is how a new person gets in). An
 * existing account keeps its own name and password.
 */
export async function addMember(
  db: Database,
  actor: MemberActor,
  input: { email: string; name?: string | null; role: MemberRole; password?: string | null },
  passwords: PasswordPolicy,
) {
  if (!roleAtLeast(actor.role, input.role)) throw new MemberRoleAboveYoursError(input.role, actor.role);
  const email = input.email.trim().toLowerCase();
  const password = input.password || null;
  if (password !== null && (password.length < passwords.minLength || password.length > passwords.maxLength)) {
    throw new InitialPasswordError(`The initial password needs ${passwords.minLength} to ${passwords.maxLength} characters.`);
  }
  // Hashing is deliberately slow; do it before the tenant is locked.
  const passwordHash = password === null ? null : await passwords.hash(password);

  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    let [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
    let accountCreated = false;
    if (!user) {
      if (passwordHash === null) throw new InitialPasswordError(`${email} has no Skillrun account yet: set an initial password to create one.`);
      const id = randomUUID();
      const name = input.name?.trim() || email.split("@")[0] || email;
      // Another tenant may be creating the same account right now; then that one is used.
      [user] = await tx.insert(users).values({ id, email, name }).onConflictDoNothing({ target: users.email }).returning({ id: users.id, name: users.name });
      if (user) {
        await tx.insert(accounts).values({ id: randomUUID(), userId: id, accountId: id, providerId: "credential", password: passwordHash });
        accountCreated = true;
      } else {
        [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
        if (!user) throw new Error(`The account for ${email} vanished while it was being added.`);
      }
    }
    const userId = user.id;
    const [membership] = await tx
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: actor.tenantId, userId, role: input.role })
      .onConflictDoNothing({ target: [memberships.organizationId, memberships.userId] })
      .returning({ id: memberships.id, joinedAt: memberships.createdAt });
    if (!membership) throw new AlreadyMemberError(email);
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...actor.audit,
      action: "member.add",
      target: { type: "user", id: userId },
      metadata: { email, role: input.role, accountCreated },
    });
    return { id: membership.id, userId, email, name: user.name, role: input.role, joinedAt: membership.joinedAt, accountCreated };
  });
}

/** Changes a member's role. Nobody rises above the actor's own role, and the last owner stays. */
export async function updateMemberRole(db: Database, actor: MemberActor, input: { memberId: string; role: MemberRole }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    const member = await findMember(tx, actor.tenantId, input.memberId);
    if (!roleAtLeast(actor.role, member.role)) throw new MemberAboveYouError(member.email, member.role, "change");
    if (!roleAtLeast(actor.role, input.role)) throw new MemberRoleAboveYoursError(input.role, actor.role);
    if (member.role === input.role) return { id: member.id, role: member.role, changed: false };
    if (member.role === "owner" && (await countOwners(tx, actor.tenantId)) <= 1) throw new LastOwnerError(member.email, "demote");
    await tx.update(memberships).set({ role: input.role }).where(eq(memberships.id, member.id));
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...actor.audit,
      action: "member.role_change",
      target: { type: "user", id: member.userId },
      metadata: { email: member.email, from: member.role, to: input.role },
    });
    return { id: member.id, role: input.role, changed: true };
  });
}

/**
 * Takes a member out of the tenant (their account stays: it may belong to other tenants).
 * Their sessions that had this tenant open move to their oldest remaining tenant, or none.
 */
export async function removeMember(db: Database, actor: MemberActor, input: { memberId: string }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    const member = await findMember(tx, actor.tenantId, input.memberId);
    if (!roleAtLeast(actor.role, member.role)) throw new MemberAboveYouError(member.email, member.role, "remove");
    if (member.role === "owner" && (await countOwners(tx, actor.tenantId)) <= 1) throw new LastOwnerError(member.email, "remove");
    await tx.delete(memberships).where(eq(memberships.id, member.id));
    const [next] = await tx
      .select({ tenantId: memberships.organizationId })
      .from(memberships)
      .where(and(eq(memberships.userId, member.userId), ne(memberships.organizationId, actor.tenantId)))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    await tx
      .update(sessions)
      .set({ activeOrganizationId: next?.tenantId ?? null })
      .where(and(eq(sessions.userId, member.userId), eq(sessions.activeOrganizationId, actor.tenantId)));
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...actor.audit,
      action: "member.remove",
      target: { type: "user", id: member.userId },
      metadata: { email: member.email, role: member.role },
    });
    return { id: member.id, removedSelf: member.userId === actor.userId };
  });
}
