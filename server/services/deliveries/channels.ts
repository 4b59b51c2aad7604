import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Transaction } from "@/server/db/client";
import {
  notificationChannels,
  runDeliveries,
  schedules,
  skillRuns,
  webhooks,
} from "@/server/db/schema";

/** How many channels one schedule or webhook may deliver to. */
export const MAX_DELIVERY_CHANNELS = 10;

/**
 * The field error of a schedule's or webhook's "Deliver results to", or none: every id must be
 * one of the tenant's channels (another tenant's is refused like an unknown one).
 */
export async function deliveryChannelErrors(
  db: Database | Transaction,
  tenantId: string,
  channelIds: readonly string[] | undefined,
): Promise<Record<string, string[]>> {
  const wanted = [...new Set(channelIds ?? [])];
  if (wanted.length === 0) return {};
  const found = await db
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(
      and(eq(notificationChannels.tenantId, tenantId), inArray(notificationChannels.id, wanted)),
    );
  return found.length === wanted.length
    ? {}
    : { deliveryChannelIds: ["names a channel that does not exist"] };
}

/**
 * Writes, in the caller's transaction (the one that created the runs), a waiting delivery per
 * channel the runs' schedule or webhook names, each to the sweep once its run ends (the same
 * outbox as a REST callback). Channels deleted since the schedule was saved are skipped.
 */
export async function addChannelDeliveries(
  tx: Database | Transaction,
  runs: readonly { runId: string; tenantId: string }[],
): Promise<number> {
  if (runs.length === 0) return 0;
  const channelIds = sql`coalesce(${schedules.deliveryChannelIds}, ${webhooks.deliveryChannelIds}, '{}'::uuid[])`;
  const targets = await tx
    .select({
      tenantId: skillRuns.tenantId,
      runId: skillRuns.id,
      channelId: notificationChannels.id,
      kind: notificationChannels.kind,
      name: notificationChannels.name,
    })
    .from(skillRuns)
    .leftJoin(
      schedules,
      and(eq(schedules.id, skillRuns.scheduleId), eq(schedules.tenantId, skillRuns.tenantId)),
    )
    .leftJoin(
      webhooks,
      and(eq(webhooks.id, skillRuns.webhookId), eq(webhooks.tenantId, skillRuns.tenantId)),
    )
    .innerJoin(
      notificationChannels,
      and(
        eq(notificationChannels.tenantId, skillRuns.tenantId),
        sql`${notificationChannels.id} = any(${channelIds})`,
      ),
    )
    .where(
      and(
        inArray(skillRuns.tenantId, [...new Set(runs.map((run) => run.tenantId))]),
        inArray(
          skillRuns.id,
          runs.map((run) => run.runId),
        ),
      ),
    );
  if (targets.length === 0) return 0;
  await tx.insert(runDeliveries).values(
    targets.map((target) => ({
      tenantId: target.tenantId,
      runId: target.runId,
      targetKind: target.kind,
      channelId: target.channelId,
      target: target.name,
      status: "waiting" as const,
    })),
  );
  return targets.length;
}
