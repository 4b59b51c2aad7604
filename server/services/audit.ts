import type { AuditAction, AuditActorType } from "@/lib/enums";
import type { Database, Transaction } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";

/** Who did it: a signed-in user, an API key, a webhook, a schedule, or Skillrun itself. */
export type AuditActor = { type: AuditActorType; id: string | null };

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

/**
 * Appends to the audit log. Call it with the transaction that makes the change, so the entry
 * exists exactly when the change does.
 */
export async function recordAudit(db: Database | Transaction, entry: AuditEntry | AuditEntry[]): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry];
  if (entries.length === 0) return;
  await db.insert(auditLog).values(
    entries.map((e) => ({
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
