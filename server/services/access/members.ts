import "server-only";
import { and, asc, count, eq, ne } from "drizzle-orm";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole, roleAtLeast } from "@/lib/roles";
import type { RemoveMemberInput, UpdateMemberRoleInput } from "@/lib/schemas/members";
import type { Database, Transaction } from "@/server/db/client";
import { memberships, sessions, tenants, users } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { recordAudit, type AuditContext } from "./audit";

/** Who is changing the membership list: a signed-in member of the tenant, their role in it, and what the audit log records. */
export type MemberActor = {
  tenantId: string;
  userId: string;
  role: MemberRole;
  audit: AuditContext;
};

/** The auth library's password rules and hasher, so accounts made here sign in like any other. */
export type PasswordPolicy = {
  hash: (password: string) => Promise<string>;
  minLength: number;
  maxLength: number;
};

/** Who may change the membership list and invitations at all. */
export const MEMBER_MANAGER_ROLE: MemberRole = "admin";

export class MemberNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "member_not_found";
  constructor(memberId: string) {
    super(`Member ${memberId} was not found.`);
  }
}

export class MemberRoleAboveYoursError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "role_above_yours";
  constructor(role: MemberRole, yours: MemberRole) {
    super(`You cannot give the ${role} role: it is above your own (${yours}).`);
  }
}

export class MemberAboveYouError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "member_above_you";
  constructor(email: string, role: MemberRole, verb: "change" | "remove") {
    super(
      `${email} is ${role === "owner" ? "an" : "a"} ${role}, above your own role; only an owner can ${verb} them.`,
    );
  }
}

export class LastOwnerError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "last_owner";
  constructor(email: string, verb: "demote" | "remove") {
    super(
      `${email} is the tenant's last owner and cannot be ${verb === "demote" ? "demoted" : "removed"}. Make another member owner first.`,
    );
  }
}

export class AlreadyMemberError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "already_member";
  constructor(email: string) {
    super(`${email} is already a member of this tenant.`);
  }
}

/** The actor's membership, read again under the tenant lock, no longer allows the change (demoted or removed meanwhile). */
export class MemberActorForbiddenError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "actor_forbidden";
  constructor(needed: MemberRole | null) {
    super(
      needed ? `This needs the ${needed} role or higher.` : "You are not a member of this tenant.",
    );
  }
}

export const asRole = (role: string): MemberRole => (isMemberRole(role) ? role : "viewer");

export async function listMembers(db: Database, scope: { tenantId: string; userId: string }) {
  const rows = await db
    .select({
      id: memberships.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, scope.tenantId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  return rows.map(({ userId, role, ...row }) => ({
    ...row,
    role: asRole(role),
    isYou: userId === scope.userId,
  }));
}

/**
 * Membership changes of one tenant take turns: the tenant row is locked for the transaction,
 * so two owners demoting each other at once cannot leave the tenant with none.
 */
export async function lockTenant(tx: Transaction, tenantId: string) {
  await tx
    .select({ id: tenants.id })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .for("no key update");
}

/**
 * The actor's role as it is now, read under the tenant lock: the role the request started with
 * was read before the lock, and a change that committed while it waited (the actor demoted or
 * removed) must decide. Call it right after `lockTenant`.
 */
export async function lockedActorRole(
  tx: Transaction,
  actor: MemberActor,
  needed: MemberRole = MEMBER_MANAGER_ROLE,
): Promise<MemberRole> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(
      and(eq(memberships.organizationId, actor.tenantId), eq(memberships.userId, actor.userId)),
    );
  if (!row || !isMemberRole(row.role)) throw new MemberActorForbiddenError(null);
  if (!roleAtLeast(row.role, needed)) throw new MemberActorForbiddenError(needed);
  return row.role;
}

async function findMember(tx: Transaction, tenantId: string, memberId: string) {
  const [member] = await tx
    .select({
      id: memberships.id,
      userId: memberships.userId,
      role: memberships.role,
      email: users.email,
    })
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

/** Changes a member's role. Nobody rises above the actor's own role, and the last owner stays. */
export async function updateMemberRole(
  db: Database,
  actor: MemberActor,
  input: UpdateMemberRoleInput,
) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    const actorRole = await lockedActorRole(tx, actor);
    const member = await findMember(tx, actor.tenantId, input.memberId);
    if (!roleAtLeast(actorRole, member.role))
      throw new MemberAboveYouError(member.email, member.role, "change");
    if (!roleAtLeast(actorRole, input.role))
      throw new MemberRoleAboveYoursError(input.role, actorRole);
    if (member.role === input.role) return { id: member.id, role: member.role, changed: false };
    if (member.role === "owner" && (await countOwners(tx, actor.tenantId)) <= 1)
      throw new LastOwnerError(member.email, "demote");
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
export async function removeMember(db: Database, actor: MemberActor, input: RemoveMemberInput) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    const actorRole = await lockedActorRole(tx, actor);
    const member = await findMember(tx, actor.tenantId, input.memberId);
    if (!roleAtLeast(actorRole, member.role))
      throw new MemberAboveYouError(member.email, member.role, "remove");
    if (member.role === "owner" && (await countOwners(tx, actor.tenantId)) <= 1)
      throw new LastOwnerError(member.email, "remove");
    await tx.delete(memberships).where(eq(memberships.id, member.id));
    const [next] = await tx
      .select({ tenantId: memberships.organizationId })
      .from(memberships)
      .where(
        and(eq(memberships.userId, member.userId), ne(memberships.organizationId, actor.tenantId)),
      )
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    await tx
      .update(sessions)
      .set({ activeOrganizationId: next?.tenantId ?? null })
      .where(
        and(eq(sessions.userId, member.userId), eq(sessions.activeOrganizationId, actor.tenantId)),
      );
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
