import "server-only";
import { and, desc, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { AuditAction, AuditActorType } from "@/lib/enums";
import type { ListAuditLogInput } from "@/lib/schemas/audit";
import type { Database, Transaction } from "@/server/db/client";
import {
  apiKeys,
  auditLog,
  memberships,
  schedules,
  skillRuns,
  skills,
  users,
  webhooks,
} from "@/server/db/schema";

/** Who did it: a signed-in user, an API key, a webhook, a schedule, or Skillrun itself. */
export type AuditActor = { type: AuditActorType; id: string | null };

/** Who is making a change and from where, handed by the caller (router, REST handler, tick) to the service. */
export type AuditContext = { actor: AuditActor; origin: string | null };

export type AuditEntry = {
  /** Null only before a tenant is known (a failed sign-in). */
  tenantId: string | null;
  actor: AuditActor;
  action: AuditAction;
  target?: { type: string; id: string } | null;
  /** Where the request came from: the client's address for HTTP callers, "scheduler" for ticks. */
  origin?: string | null;
  /** Small, secret-free facts about the change (names, old/new role…). Never inputs or secrets. */
  metadata?: Record<string, unknown>;
};

/** Rows per insert: eight parameters a row stays well under PostgreSQL's 65,535. */
const INSERT_CHUNK = 1_000;

/**
 * Appends to the audit log. Call it with the transaction that makes the change, so the entry
 * exists exactly when the change does. Many entries are one insert (up to 1,000 rows).
 */
export async function recordAudit(
  db: Database | Transaction,
  entry: AuditEntry | AuditEntry[],
): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry];
  for (let offset = 0; offset < entries.length; offset += INSERT_CHUNK) {
    await db.insert(auditLog).values(
      entries.slice(offset, offset + INSERT_CHUNK).map((e) => ({
        tenantId: e.tenantId,
        actorType: e.actor.type,
        actorId: e.actor.id,
        action: e.action,
        targetType: e.target?.type ?? null,
        targetId: e.target?.id ?? null,
        origin: e.origin ?? null,
        metadata: e.metadata ?? {},
      })),
    );
  }
}

/** An email as typed into the sign-in form, kept short enough that a flood of junk cannot bloat the log. */
const MAX_EMAIL_LENGTH = 320;

/**
 * A failed sign-in. The actor is the account the attempt claimed (a user, found by email), so
 * the row says "someone tried to sign in as X"; the typed email is kept in the metadata, never
 * the password.
 *
 * Visibility: audit rows are read per tenant, so an attempt on a known account is written once
 * for each tenant the account is a member of at that moment — the admins of those tenants see
 * attempts on their members, and nobody else does. An account without memberships gets one row
 * with no tenant. An attempt on an email that names no account writes nothing: anyone can send
 * those, one made-up address after another, and the per-account limit would never bound them
 * (the sign-in rate limits still count them).
 */
export async function recordFailedSignIn(
  db: Database,
  attempt: { email: string; origin: string | null; reason: string | null },
) {
  const email = attempt.email.trim().slice(0, MAX_EMAIL_LENGTH);
  const [user] = email
    ? await db.select({ id: users.id }).from(users).where(eq(users.email, email.toLowerCase()))
    : [];
  if (!user) return;
  const tenantIds = (
    await db
      .select({ tenantId: memberships.organizationId })
      .from(memberships)
      .where(eq(memberships.userId, user.id))
  ).map((row) => row.tenantId);
  const entry = (tenantId: string | null): AuditEntry => ({
    tenantId,
    actor: { type: "user", id: user.id },
    action: "auth.sign_in_failed",
    origin: attempt.origin,
    metadata: { email, ...(attempt.reason ? { reason: attempt.reason } : {}) },
  });
  await recordAudit(db, tenantIds.length ? tenantIds.map(entry) : entry(null));
}

export type AuditListFilters = Omit<ListAuditLogInput, "cursor">;
/** The last row of the previous page; its exact `at` is read back from the row (a Date would lose the microseconds). */
export type AuditCursor = NonNullable<ListAuditLogInput["cursor"]>;

/**
 * The display name of the row an audit id points at, or null when it is gone. A subquery per row
 * of the page, only for its own type (ids of the other types need not be uuids), scoped to the
 * entry's tenant.
 */
function nameFor(type: SQL, id: SQL, cases: { type: string; name: SQL }[]) {
  return sql<string | null>`case ${type} ${sql.join(
    cases.map((c) => sql`when ${c.type} then (${c.name})`),
    sql` `,
  )} end`;
}
const tenantRowName = (table: typeof schedules | typeof apiKeys | typeof webhooks, id: SQL) =>
  sql`select ${table.name} from ${table} where ${table.id} = (${id})::uuid and ${table.tenantId} = ${auditLog.tenantId}`;
const userName = (id: SQL) => sql`select ${users.name} from ${users} where ${users.id} = ${id}`;

const actorId = sql`${auditLog.actorId}`;
const targetId = sql`${auditLog.targetId}`;

/**
 * The tenant's audit log, newest first (at desc, id desc), `limit` a page with a keyset cursor;
 * actors and targets come with their current names where that is cheap.
 */
export async function listAuditLog(
  db: Database,
  tenantId: string,
  options: { filters?: AuditListFilters; cursor?: AuditCursor | null; limit: number },
) {
  const { filters = {}, cursor, limit } = options;
  const conditions: (SQL | undefined)[] = [
    eq(auditLog.tenantId, tenantId),
    filters.actions?.length ? inArray(auditLog.action, filters.actions) : undefined,
    filters.actorType ? eq(auditLog.actorType, filters.actorType) : undefined,
    filters.targetId ? eq(auditLog.targetId, filters.targetId) : undefined,
    filters.from ? gte(auditLog.at, filters.from) : undefined,
    filters.to ? lte(auditLog.at, filters.to) : undefined,
    // A row comparison, so the (tenant_id, at desc) index bounds the scan; an unknown or foreign cursor matches nothing.
    cursor
      ? sql`(${auditLog.at}, ${auditLog.id}) < (select previous.at, previous.id from ${auditLog} as previous where previous.id = ${cursor.id} and previous.tenant_id = ${tenantId})`
      : undefined,
  ];
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actor: {
        type: auditLog.actorType,
        id: auditLog.actorId,
        name: nameFor(sql`${auditLog.actorType}`, actorId, [
          { type: "user", name: userName(actorId) },
          { type: "api_key", name: tenantRowName(apiKeys, actorId) },
          { type: "webhook", name: tenantRowName(webhooks, actorId) },
          { type: "schedule", name: tenantRowName(schedules, actorId) },
        ]),
        email: sql<
          string | null
        >`case when ${auditLog.actorType} = 'user' then (select ${users.email} from ${users} where ${users.id} = ${actorId}) end`,
      },
      target: {
        type: auditLog.targetType,
        id: auditLog.targetId,
        name: nameFor(sql`${auditLog.targetType}`, targetId, [
          { type: "user", name: userName(targetId) },
          { type: "api_key", name: tenantRowName(apiKeys, targetId) },
          { type: "webhook", name: tenantRowName(webhooks, targetId) },
          { type: "schedule", name: tenantRowName(schedules, targetId) },
          {
            type: "run",
            name: sql`select ${skills.name} from ${skillRuns} join ${skills} on ${skills.id} = ${skillRuns.skillId} where ${skillRuns.id} = (${targetId})::uuid and ${skillRuns.tenantId} = ${auditLog.tenantId}`,
          },
        ]),
      },
      origin: auditLog.origin,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? { id: last.id } : null };
}
