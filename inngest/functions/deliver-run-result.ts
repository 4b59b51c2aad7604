import type { GetStepTools, Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { attemptRunDelivery, failAbandonedRunDelivery } from "@/server/services/deliveries/attempt";
import {
  queueDueDeliveries,
  queueEndedRunDeliveries,
  runDeliveryEvents,
  type QueuedDelivery,
} from "@/server/services/deliveries/queue";
import { runDeliveryRequested, type RunRef } from "../events";

/** Attempts per delivery of a run's result: the first and four retries on the engine's backoff. */
export const RUN_DELIVERY_RETRIES = 4;

/** How many deliveries one sweep queues; the next minute takes the rest. */
const SWEEP_BATCH = 500;

/**
 * The steps a function that may have ended a run takes last: the run's waiting deliveries are
 * queued and their events sent at once, instead of at the sweep's next minute. A run that has not
 * ended queues nothing; a crash between the two steps leaves pending rows the sweep re-sends.
 */
export async function sendEndedRunDeliveries(
  step: GetStepTools<Inngest.Any>,
  db: () => Database,
  ref: RunRef,
): Promise<number> {
  const queued = await step.run("queue-deliveries", () => queueEndedRunDeliveries(db(), ref));
  await sendQueuedDeliveries(step, queued);
  return queued.length;
}

/** The events of deliveries a step queued (`finishRunAndQueueDeliveries`, `queueEndedRunDeliveries`). */
export async function sendQueuedDeliveries(
  step: GetStepTools<Inngest.Any>,
  queued: readonly QueuedDelivery[],
): Promise<void> {
  if (queued.length > 0) await step.sendEvent("deliver", runDeliveryEvents(queued));
}

/**
 * Every minute, the fallback of `sendEndedRunDeliveries`: the outbox's sweep queues the
 * deliveries whose runs have ended without queuing them (and re-queues one whose event was lost),
 * then sends one event each. A crash between the two leaves the rows
 * pending with no attempt, which the sweep queues again after `LOST_QUEUING_MS`.
 */
export function createQueueRunDeliveriesFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
}) {
  return deps.client.createFunction(
    {
      id: "queue-run-deliveries",
      name: "Queue run deliveries",
      retries: 0,
      singleton: { mode: "skip" },
      triggers: [{ cron: "* * * * *" }],
    },
    async ({ step }) => {
      const queued = await step.run("queue", () => queueDueDeliveries(deps.db(), SWEEP_BATCH));
      if (queued.length > 0) await step.sendEvent("deliver", runDeliveryEvents(queued));
      return { queued: queued.length };
    },
  );
}

/**
 * Sends one run's result to one place, with retries: a send is safe to repeat (the delivery id
 * is the `Skillrun-Delivery-Id` header, so a receiver can drop a second copy). Each attempt
 * records its outcome; the last marks the delivery failed instead of throwing. When the function
 * fails anyway (every attempt crashed, or found the delivery claimed by one that crashed), its
 * `onFailure` fails the delivery with the reason, so it shows Retry instead of pending forever.
 */
export function createDeliverRunResultFunction(deps: { client: Inngest.Any; db: () => Database }) {
  return deps.client.createFunction(
    {
      id: "deliver-run-result",
      name: "Deliver a run's result",
      retries: RUN_DELIVERY_RETRIES,
      triggers: [runDeliveryRequested],
      concurrency: { limit: 5, key: "event.data.tenantId" },
      onFailure: async ({ event, error }) => {
        const { deliveryId, tenantId } = event.data.event.data;
        await failAbandonedRunDelivery(deps.db(), { deliveryId, tenantId }, error);
      },
    },
    async ({ event, step, attempt, maxAttempts }) =>
      step.run("send", () =>
        attemptRunDelivery(
          deps.db(),
          event.data,
          attempt + 1 >= (maxAttempts ?? RUN_DELIVERY_RETRIES + 1),
        ),
      ),
  );
}
