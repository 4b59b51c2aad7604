import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import {
  apiKeys,
  scheduleSlots,
  schedules,
  skillRuns,
  users,
  webhookDeliveries,
  webhooks,
} from "@/server/db/schema";

/** Someone who started or stopped a run. */
export type Person = { name: string; email: string };

/**
 * Where a run came from, by name: what the run page says and links to. A source that is gone
 * (its foreign key was set null when it was deleted) is null, and the page says "deleted".
 */
export type RunProvenance =
  | { source: "manual"; user: Person | null }
  | { source: "rerun"; user: Person | null; parentRunId: string | null }
  | {
      source: "schedule";
      schedule: { id: string; name: string; timezone: string } | null;
      slotAt: Date | null;
    }
  | {
      source: "webhook";
      webhook: { id: string; name: string } | null;
      /** `deliveryId`: the sender's id for it (the header), when it sent one. */
      delivery: { id: string; deliveryId: string | null } | null;
      /** Set on a run an operator started by replaying a delivery from the log. */
      replayedBy: Person | null;
    }
  | { source: "api"; apiKey: { id: string; name: string; revoked: boolean } | null };

type RunOrigin = Pick<
  typeof skillRuns.$inferSelect,
  | "id"
  | "tenantId"
  | "source"
  | "invokerUserId"
  | "scheduleId"
  | "webhookId"
  | "apiKeyId"
  | "parentRunId"
>;

/** A user by id; users belong to no tenant, and a run only names its own invoker or canceller. */
export async function personOf(db: Database, userId: string | null): Promise<Person | null> {
  if (!userId) return null;
  const [user] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId));
  return user ?? null;
}

async function scheduleOf(db: Database, run: RunOrigin) {
  if (!run.scheduleId) return { schedule: null, slotAt: null };
  const [row] = await db
    .select({
      schedule: { id: schedules.id, name: schedules.name, timezone: schedules.timezone },
      slotAt: scheduleSlots.slotAt,
    })
    .from(schedules)
    .leftJoin(
      scheduleSlots,
      and(
        eq(scheduleSlots.runId, run.id),
        eq(scheduleSlots.scheduleId, schedules.id),
        eq(scheduleSlots.tenantId, run.tenantId),
      ),
    )
    .where(and(eq(schedules.id, run.scheduleId), eq(schedules.tenantId, run.tenantId)))
    .limit(1);
  return row ?? { schedule: null, slotAt: null };
}

async function webhookOf(db: Database, run: RunOrigin) {
  if (!run.webhookId) return { webhook: null, delivery: null };
  const [row] = await db
    .select({
      webhook: { id: webhooks.id, name: webhooks.name },
      delivery: { id: webhookDeliveries.id, deliveryId: webhookDeliveries.deliveryId },
    })
    .from(webhooks)
    .leftJoin(
      webhookDeliveries,
      and(
        eq(webhookDeliveries.runId, run.id),
        eq(webhookDeliveries.webhookId, webhooks.id),
        eq(webhookDeliveries.tenantId, run.tenantId),
        eq(webhookDeliveries.verdict, "accepted"),
      ),
    )
    .where(and(eq(webhooks.id, run.webhookId), eq(webhooks.tenantId, run.tenantId)))
    .orderBy(asc(webhookDeliveries.receivedAt))
    .limit(1);
  return row ?? { webhook: null, delivery: null };
}

async function apiKeyOf(db: Database, run: RunOrigin) {
  if (!run.apiKeyId) return null;
  const [key] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, run.apiKeyId), eq(apiKeys.tenantId, run.tenantId)));
  return key ? { id: key.id, name: key.name, revoked: key.revokedAt !== null } : null;
}

async function parentRunOf(db: Database, run: RunOrigin) {
  if (!run.parentRunId) return null;
  const [parent] = await db
    .select({ id: skillRuns.id })
    .from(skillRuns)
    .where(and(eq(skillRuns.id, run.parentRunId), eq(skillRuns.tenantId, run.tenantId)));
  return parent?.id ?? null;
}

/** The run's source by name, each lookup scoped to the run's tenant. */
export async function resolveProvenance(db: Database, run: RunOrigin): Promise<RunProvenance> {
  switch (run.source) {
    case "manual":
      return { source: "manual", user: await personOf(db, run.invokerUserId) };
    case "rerun": {
      const [user, parentRunId] = await Promise.all([
        personOf(db, run.invokerUserId),
        parentRunOf(db, run),
      ]);
      return { source: "rerun", user, parentRunId };
    }
    case "schedule":
      return { source: "schedule", ...(await scheduleOf(db, run)) };
    case "webhook": {
      const [origin, replayedBy] = await Promise.all([
        webhookOf(db, run),
        personOf(db, run.invokerUserId),
      ]);
      return { source: "webhook", ...origin, replayedBy };
    }
    case "api":
      return { source: "api", apiKey: await apiKeyOf(db, run) };
  }
}
