import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole, lowerRole, roleAtLeast } from "@/lib/roles";
import type { CreateApiKeyInput } from "@/lib/schemas/api-keys";
import type { Database } from "@/server/db/client";
import { apiKeys, memberships, users } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { recordAudit, type AuditContext } from "./audit";

const KEY_PREFIX = "srk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** lastUsedAt is written at most this often per key, so a busy key costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiKeyNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "api_key_not_found";
  constructor(keyId: string) {
    super(`API key ${keyId} was not found.`);
  }
}

export class RoleTooHighError extends ServiceError {
  readonly kind = "forbidden";
  readonly code = "role_too_high";
  constructor(role: MemberRole) {
    super(`You cannot create a key with the ${role} role, which is above your own.`);
  }
}

/** Uniform over the alphabet: bytes ≥ 248 (= 4 × 62) are dropped rather than folded in. */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2))
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
  }
  return out;
}

const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");

/** `srk_<8 visible>_<32 secret>`: the prefix tells keys apart, the hash finds the key. */
export async function createApiKey(
  db: Database,
  scope: { tenantId: string; userId: string; userRole: MemberRole; audit: AuditContext },
  input: CreateApiKeyInput,
) {
  if (!roleAtLeast(scope.userRole, input.role)) throw new RoleTooHighError(input.role);
  const prefix = `${KEY_PREFIX}${randomBase62(8)}`;
  const key = `${prefix}_${randomBase62(32)}`;
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        tenantId: scope.tenantId,
        name: input.name,
        role: input.role,
        prefix,
        keyHash: hashOf(key),
        createdByUserId: scope.userId,
      })
      .returning({
        id: apiKeys.id,
        name: apiKeys.name,
        role: apiKeys.role,
        prefix: apiKeys.prefix,
        createdAt: apiKeys.createdAt,
      });
    // Name, role and the visible prefix; never the key.
    await recordAudit(tx, {
      tenantId: scope.tenantId,
      ...scope.audit,
      action: "api_key.create",
      target: { type: "api_key", id: row!.id },
      metadata: { name: row!.name, role: row!.role, prefix },
    });
    return row!;
  });
  // The only time the key exists outside the caller's hands.
  return { ...created, key };
}

/**
 * A key acts for the member who created it: with its own role, but never above the creator's
 * current role in the tenant, and not at all once the creator is no longer a member (null).
 * Read on every authentication, so a demotion or removal takes effect at once.
 */
export function effectiveKeyRole(keyRole: string, creatorRole: string | null): MemberRole | null {
  if (!isMemberRole(keyRole) || creatorRole === null || !isMemberRole(creatorRole)) return null;
  return lowerRole(keyRole, creatorRole);
}

/** The creator's membership of the key's own tenant (none: removed, or the account is gone). */
const creatorMembership = and(
  eq(memberships.organizationId, apiKeys.tenantId),
  eq(memberships.userId, apiKeys.createdByUserId),
);

export async function listApiKeys(db: Database, tenantId: string) {
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      creatorName: users.name,
      creatorEmail: users.email,
      creatorRole: memberships.role,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .leftJoin(memberships, creatorMembership)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(({ creatorName, creatorEmail, creatorRole, ...key }) => ({
    ...key,
    createdBy:
      creatorEmail === null
        ? null
        : {
            name: creatorName ?? creatorEmail,
            email: creatorEmail,
            isMember: creatorRole !== null,
          },
    effectiveRole: effectiveKeyRole(key.role, creatorRole),
  }));
}

/** Revokes a key; revoking a revoked key changes nothing (and logs nothing). */
export async function revokeApiKey(
  db: Database,
  scope: { tenantId: string; keyId: string; audit: AuditContext },
) {
  await db.transaction(async (tx) => {
    const ofTenant = and(eq(apiKeys.id, scope.keyId), eq(apiKeys.tenantId, scope.tenantId));
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(ofTenant, isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name });
    if (revoked) {
      await recordAudit(tx, {
        tenantId: scope.tenantId,
        ...scope.audit,
        action: "api_key.revoke",
        target: { type: "api_key", id: revoked.id },
        metadata: { name: revoked.name },
      });
      return;
    }
    const [existing] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(ofTenant);
    if (!existing) throw new ApiKeyNotFoundError(scope.keyId);
  });
}

export type ApiKeyPrincipal = { keyId: string; tenantId: string; role: MemberRole; name: string };

/**
 * The key behind a bearer token with the role it acts with (see effectiveKeyRole), or null for a
 * malformed, unknown or revoked one, or one whose creator is no longer a member (the caller
 * cannot tell which).
 */
export async function authenticateApiKey(
  db: Database,
  token: string,
  now = new Date(),
): Promise<ApiKeyPrincipal | null> {
  if (!/^srk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/.test(token)) return null;
  const [key] = await db
    .select({
      id: apiKeys.id,
      tenantId: apiKeys.tenantId,
      role: apiKeys.role,
      creatorRole: memberships.role,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
    })
    .from(apiKeys)
    .innerJoin(memberships, creatorMembership)
    .where(and(eq(apiKeys.keyHash, hashOf(token)), isNull(apiKeys.revokedAt)));
  const role = key ? effectiveKeyRole(key.role, key.creatorRole) : null;
  if (!key || !role || !token.startsWith(`${key.prefix}_`)) return null;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, key.id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS)),
        ),
      ),
    );
  return { keyId: key.id, tenantId: key.tenantId, role, name: key.name };
}
