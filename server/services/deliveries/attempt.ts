import "server-only";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { notificationChannels, runDeliveries, skillRuns, skills } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import {
  claimForAttempt,
  failAbandonedDelivery,
  recordAttempt,
  sendFailureReason,
} from "@/server/services/notify/attempt-record";
import { sendToChannel } from "@/server/services/notify/channels";
import type { Notice } from "@/server/services/notify/notice";
import { sendSignedWebhook } from "@/server/services/notify/signed-webhook";
import { runLink } from "@/server/services/runs/run-link";
import { openCallbackSecret } from "./queue";

/** A failed attempt that the function's retries should try again (the delivery stays pending). */
export class RunDeliveryAttemptFailedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "run_delivery_failed";
}

type RunFacts = Awaited<ReturnType<typeof runFacts>>;

async function runFacts(db: Database, tenantId: string, runId: string) {
  const [run] = await db
    .select({
      id: skillRuns.id,
      status: skillRuns.status,
      source: skillRuns.source,
      skill: { slug: skills.slug, name: skills.name },
      failureCode: skillRuns.failureCode,
      failureReason: skillRuns.failureReason,
      deliverable: skillRuns.deliverable,
      tags: skillRuns.tags,
      createdAt: skillRuns.createdAt,
      startedAt: skillRuns.startedAt,
      finishedAt: skillRuns.finishedAt,
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .where(and(eq(skillRuns.id, runId), eq(skillRuns.tenantId, tenantId)));
  return run ?? null;
}

/** The run as a callback's and a signed webhook's `data` (docs/DELIVERIES.md). */
export function runJson(run: NonNullable<RunFacts>) {
  return {
    id: run.id,
    status: run.status,
    source: run.source,
    skill: run.skill,
    failure: run.failureCode ? { code: run.failureCode, reason: run.failureReason } : null,
    deliverable: run.deliverable
      ? { format: "markdown" as const, content: run.deliverable.payload }
      : null,
    tags: run.tags,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

const STATUS_WORDS = { complete: "completed", failed: "failed", cancelled: "was cancelled" };

/** The notice a run's result is sent as: the deliverable as text, the run as data. */
export function runNotice(deliveryId: string, run: NonNullable<RunFacts>): Notice {
  const word =
    run.status === "complete" || run.status === "failed" || run.status === "cancelled"
      ? STATUS_WORDS[run.status]
      : run.status;
  return {
    id: deliveryId,
    type: `run.${run.status}`,
    subject: `${run.skill.name} ${word}`,
    text:
      run.deliverable?.payload ??
      (run.failureCode ? `${run.failureCode}: ${run.failureReason ?? ""}`.trim() : ""),
    textFormat: run.deliverable ? "markdown" : "plain",
    facts: runJson(run),
    link: runLink(run.id),
  };
}

/**
 * One attempt at a pending delivery of a run's result: it claims the delivery first (one sender
 * at a time, see `claimDelivery`), then a callback is POSTed signed (the signed-webhook sender,
 * with the run's own key) and a channel gets it through `sendToChannel`. A failed attempt records
 * its error and throws while attempts remain (`final` false) so the function retries with
 * backoff; the last marks the delivery failed. A delivery not pending is left as it is (a
 * repeated event or step is harmless); one another attempt is sending throws, to look again
 * after the backoff, unless this is the last attempt.
 */
export async function attemptRunDelivery(
  db: Database,
  ref: { deliveryId: string; tenantId: string },
  final: boolean,
): Promise<{ status: "sent" | "failed" | "skipped" }> {
  const claim = await claimForAttempt(db, runDeliveries, ref, final);
  if (!claim) return { status: "skipped" };
  const [row] = await db
    .select({ delivery: runDeliveries, channel: notificationChannels })
    .from(runDeliveries)
    .leftJoin(
      notificationChannels,
      and(
        eq(notificationChannels.id, runDeliveries.channelId),
        eq(notificationChannels.tenantId, runDeliveries.tenantId),
      ),
    )
    .where(and(eq(runDeliveries.id, ref.deliveryId), eq(runDeliveries.tenantId, ref.tenantId)));
  if (!row) return { status: "skipped" };
  const { delivery } = row;
  const run = await runFacts(db, delivery.tenantId, delivery.runId);
  const gone = !run
    ? "The run was deleted before its result was sent."
    : delivery.targetKind !== "callback" && !row.channel
      ? "The channel was deleted before the result was sent."
      : null;
  if (gone || !run) {
    await recordAttempt(db, claim, { gone: gone ?? "" });
    return { status: "failed" };
  }
  try {
    const notice = runNotice(delivery.id, run);
    if (delivery.targetKind === "callback") {
      if (!delivery.secret) throw new Error(`Delivery ${delivery.id} has no callback.`);
      await sendSignedWebhook(openCallbackSecret(delivery.secret), notice);
    } else if (row.channel) await sendToChannel(row.channel, notice);
  } catch (error) {
    const reason = sendFailureReason(error, "The target could not be reached.");
    await recordAttempt(db, claim, { sent: false, reason, final });
    if (final) return { status: "failed" };
    throw new RunDeliveryAttemptFailedError(reason);
  }
  await recordAttempt(db, claim, { sent: true });
  return { status: "sent" };
}

/** The function gave up on a delivery (retries spent, or a crash): it is failed with the reason. */
export async function failAbandonedRunDelivery(
  db: Database,
  ref: { deliveryId: string; tenantId: string },
  error: unknown,
): Promise<boolean> {
  const reason =
    error instanceof ServiceError
      ? error.message
      : "The delivery stopped on an internal error; see the server log.";
  return failAbandonedDelivery(db, runDeliveries, ref, reason);
}
