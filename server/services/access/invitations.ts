import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, gt } from "drizzle-orm";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole, roleAtLeast } from "@/lib/roles";
import type { InviteMemberInput, RevokeInvitationInput } from "@/lib/schemas/members";
import type { Database, Transaction } from "@/server/db/client";
import { accounts, invitations, memberships, sessions, tenants, users } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { recordAudit } from "./audit";
import {
  AlreadyMemberError,
  lockedActorRole,
  lockTenant,
  MemberRoleAboveYoursError,
  type MemberActor,
  type PasswordPolicy,
} from "./members";

/**
 * Invitations: the only way into a tenant. An admin creates one for an email and a role and
 * hands its link over; whoever opens it either creates the account for that email (when none
 * exists yet) or must be signed in as that account. Nobody sets another person's password and
 * nobody is attached to a tenant without acting themselves.
 *
 * Rows live in the auth library's `invitations` table (its own endpoints are switched off, see
 * library-paths.ts). The id is the SHA-256 of the link's token, so the database never holds a
 * usable link. Statuses: pending → accepted, or canceled (revoked, or replaced by a newer
 * invitation for the same email).
 */

/** How long a link works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** 32 random bytes, base64url without padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class InvitationNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "invitation_not_found";
  constructor(invitationId: string) {
    super(`Invitation ${invitationId} was not found or is no longer pending.`);
  }
}

/** Unknown, expired, revoked, replaced or used: the holder of a link learns no more than that. */
export class InvitationInvalidError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "invitation_invalid";
  constructor() {
    super("This invitation is not valid.");
  }
}

/** The invited email has an account (made since the page was shown): its owner signs in to accept. */
export class InvitationAccountExistsError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "invitation_account_exists";
  constructor() {
    super("An account with this email already exists. Sign in to it to accept the invitation.");
  }
}

/** Signed in, but as someone other than the invited email. */
export class InvitationWrongAccountError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "invitation_wrong_account";
  constructor() {
    super("This invitation is for a different account than the one you are signed in with.");
  }
}

/** The chosen name or password breaks the rules. */
export class InvitationInputError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "invitation_input";
}

/**
 * A pending invitation for `email` to the actor's tenant, replacing any pending one for the same
 * email. The answer is the same whether or not the email has an account anywhere: nothing here
 * looks accounts up outside the tenant. `path` holds the token; it exists only in this answer.
 */
export async function inviteMember(
  db: Database,
  actor: MemberActor,
  input: InviteMemberInput,
  now = new Date(),
) {
  if (!roleAtLeast(actor.role, input.role))
    throw new MemberRoleAboveYoursError(input.role, actor.role);
  const email = normalizeEmail(input.email);
  const token = randomBytes(32).toString("base64url");
  const id = hashOf(token);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);

  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    const actorRole = await lockedActorRole(tx, actor);
    if (!roleAtLeast(actorRole, input.role))
      throw new MemberRoleAboveYoursError(input.role, actorRole);
    // Members of this tenant are on the admin's own list already: saying so reveals nothing new.
    const [member] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organizationId, actor.tenantId), eq(users.email, email)));
    if (member) throw new AlreadyMemberError(email);
    const replaced = await tx
      .update(invitations)
      .set({ status: "canceled" })
      .where(
        and(
          eq(invitations.organizationId, actor.tenantId),
          eq(invitations.email, email),
          eq(invitations.status, "pending"),
        ),
      )
      .returning({ id: invitations.id });
    await tx.insert(invitations).values({
      id,
      organizationId: actor.tenantId,
      email,
      role: input.role,
      status: "pending",
      expiresAt,
      inviterId: actor.userId,
    });
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...actor.audit,
      action: "member.invite",
      target: { type: "invitation", id },
      metadata: {
        email,
        role: input.role,
        expiresAt: expiresAt.toISOString(),
        ...(replaced.length ? { replacedPending: true } : {}),
      },
    });
    return { id, email, role: input.role, expiresAt, path: `/invite/${token}` };
  });
}

/** Pending invitations that still work, newest first. */
export async function listInvitations(db: Database, tenantId: string, now = new Date()) {
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      inviterName: users.name,
      inviterEmail: users.email,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.inviterId))
    .where(
      and(
        eq(invitations.organizationId, tenantId),
        eq(invitations.status, "pending"),
        gt(invitations.expiresAt, now),
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
  return rows.map(({ role, ...row }) => ({
    ...row,
    role: role && isMemberRole(role) ? role : ("viewer" as MemberRole),
  }));
}

/** Withdraws a pending invitation: its link stops working at once. */
export async function revokeInvitation(
  db: Database,
  actor: MemberActor,
  input: RevokeInvitationInput,
) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, actor.tenantId);
    await lockedActorRole(tx, actor);
    const [revoked] = await tx
      .update(invitations)
      .set({ status: "canceled" })
      .where(
        and(
          eq(invitations.id, input.invitationId),
          eq(invitations.organizationId, actor.tenantId),
          eq(invitations.status, "pending"),
        ),
      )
      .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
    if (!revoked) throw new InvitationNotFoundError(input.invitationId);
    await recordAudit(tx, {
      tenantId: actor.tenantId,
      ...actor.audit,
      action: "member.invite_revoked",
      target: { type: "invitation", id: revoked.id },
      metadata: { email: revoked.email, role: revoked.role },
    });
    return { id: revoked.id };
  });
}

type InvitationRow = {
  id: string;
  organizationId: string;
  email: string;
  role: string | null;
  status: string;
  expiresAt: Date;
  inviterId: string;
};

/** Pending, unexpired, and for a role that exists; narrows the role. */
const usable = <T extends { status: string; expiresAt: Date; role: string | null }>(
  row: T,
  now: Date,
): row is T & { role: MemberRole } =>
  row.status === "pending" && row.expiresAt > now && row.role !== null && isMemberRole(row.role);

/**
 * What the invitation page shows for a token, or null when the link does not work (unknown,
 * expired, revoked, replaced or used all look the same). `accountExists` decides between the
 * new-account form and "sign in first"; only the holder of the link sees it.
 */
export async function findInvitation(db: Database, token: string, now = new Date()) {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await db
    .select({
      email: invitations.email,
      role: invitations.role,
      status: invitations.status,
      expiresAt: invitations.expiresAt,
      tenantId: tenants.id,
      tenantName: tenants.name,
    })
    .from(invitations)
    .innerJoin(tenants, eq(tenants.id, invitations.organizationId))
    .where(eq(invitations.id, hashOf(token)));
  if (!row || !usable(row, now)) return null;
  const [account] = await db.select({ id: users.id }).from(users).where(eq(users.email, row.email));
  return {
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
    tenantId: row.tenantId,
    tenantName: row.tenantName,
    accountExists: Boolean(account),
  };
}

/**
 * Locks the invitation for the rest of the transaction, after its tenant (the order invite and
 * revoke take them in, so the three never deadlock). Null when the token names no invitation.
 */
async function lockInvitation(tx: Transaction, token: string): Promise<InvitationRow | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const id = hashOf(token);
  const [peek] = await tx
    .select({ organizationId: invitations.organizationId })
    .from(invitations)
    .where(eq(invitations.id, id));
  if (!peek) return null;
  await lockTenant(tx, peek.organizationId);
  const [row] = await tx
    .select({
      id: invitations.id,
      organizationId: invitations.organizationId,
      email: invitations.email,
      role: invitations.role,
      status: invitations.status,
      expiresAt: invitations.expiresAt,
      inviterId: invitations.inviterId,
    })
    .from(invitations)
    .where(eq(invitations.id, id))
    .for("update");
  return row ?? null;
}

async function join(
  tx: Transaction,
  invitation: InvitationRow & { role: MemberRole },
  user: { id: string; email: string },
  origin: string | null,
  accountCreated: boolean,
) {
  const [membership] = await tx
    .insert(memberships)
    .values({
      id: randomUUID(),
      organizationId: invitation.organizationId,
      userId: user.id,
      role: invitation.role,
    })
    .onConflictDoNothing({ target: [memberships.organizationId, memberships.userId] })
    .returning({ id: memberships.id });
  await tx.update(invitations).set({ status: "accepted" }).where(eq(invitations.id, invitation.id));
  // Already a member (joined through another way meanwhile): the invitation is spent, nothing else changes.
  if (!membership) return false;
  await recordAudit(tx, {
    tenantId: invitation.organizationId,
    actor: { type: "user", id: user.id },
    origin,
    action: "member.add",
    target: { type: "user", id: user.id },
    metadata: {
      email: user.email,
      role: invitation.role,
      invitedBy: invitation.inviterId,
      accountCreated,
    },
  });
  return true;
}

/**
 * The invitation's email has no account: creates it with the invitee's own name and password,
 * their membership, and the audit entry, in one transaction. The caller then signs them in.
 */
export async function acceptInvitationAsNewUser(
  db: Database,
  token: string,
  input: { name: string; password: string },
  passwords: PasswordPolicy,
  origin: string | null,
  now = new Date(),
) {
  const name = input.name.trim();
  if (!name || name.length > 100)
    throw new InvitationInputError("Enter your name (up to 100 characters).");
  if (input.password.length < passwords.minLength || input.password.length > passwords.maxLength) {
    throw new InvitationInputError(
      `The password needs ${passwords.minLength} to ${passwords.maxLength} characters.`,
    );
  }
  // Hashing is deliberately slow: only for a link that works (so junk tokens cost a lookup, not a
  // hash), and before anything is locked. The transaction checks the link again.
  if (!(await findInvitation(db, token, now))) throw new InvitationInvalidError();
  const passwordHash = await passwords.hash(input.password);
  return db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, token);
    if (!invitation || !usable(invitation, now)) throw new InvitationInvalidError();
    const id = randomUUID();
    // The unique email decides a race with anyone else creating the same account.
    const [user] = await tx
      .insert(users)
      .values({ id, email: invitation.email, name })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email });
    if (!user) throw new InvitationAccountExistsError();
    await tx.insert(accounts).values({
      id: randomUUID(),
      userId: id,
      accountId: id,
      providerId: "credential",
      password: passwordHash,
    });
    await join(tx, invitation, user, origin, true);
    return {
      userId: user.id,
      email: user.email,
      tenantId: invitation.organizationId,
      role: invitation.role,
    };
  });
}

/**
 * A signed-in account accepts an invitation for its own email. Idempotent: accepting again
 * once joined answers the same (joined: false) and writes nothing. The session switches to the
 * tenant.
 */
export async function acceptInvitationAsUser(
  db: Database,
  token: string,
  signedIn: { userId: string; sessionId: string },
  origin: string | null,
  now = new Date(),
) {
  return db.transaction(async (tx) => {
    const invitation = await lockInvitation(tx, token);
    if (!invitation) throw new InvitationInvalidError();
    const [user] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(eq(users.id, signedIn.userId));
    if (!user) throw new InvitationInvalidError();
    let joined: boolean;
    if (usable(invitation, now)) {
      if (user.email.toLowerCase() !== invitation.email) throw new InvitationWrongAccountError();
      joined = await join(tx, invitation, user, origin, false);
    } else {
      // A second click (or a second tab) after a successful accept by this very account.
      const [member] =
        invitation.status === "accepted" && user.email.toLowerCase() === invitation.email
          ? await tx
              .select({ id: memberships.id })
              .from(memberships)
              .where(
                and(
                  eq(memberships.organizationId, invitation.organizationId),
                  eq(memberships.userId, user.id),
                ),
              )
          : [];
      if (!member) throw new InvitationInvalidError();
      joined = false;
    }
    await tx
      .update(sessions)
      .set({ activeOrganizationId: invitation.organizationId })
      .where(and(eq(sessions.id, signedIn.sessionId), eq(sessions.userId, user.id)));
    return { tenantId: invitation.organizationId, joined };
  });
}
