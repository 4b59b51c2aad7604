import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { attemptDelivery } from "@/server/services/alerts/deliveries";
import { alertDeliveryRequested } from "../events";

/** Attempts per alert delivery: the first and four retries on the engine's backoff (15 s, 30 s, …). */
export const ALERT_DELIVERY_RETRIES = 4;

/**
 * Sends one alert to one channel. Unlike run-skill this one retries: a send is safe to repeat
 * (a signed webhook carries the delivery id, so a receiver can drop a second copy), and a
 * channel that is down for a minute should still get the alert. Each attempt records its
 * outcome; the last marks the delivery failed instead of throwing.
 */
export function createDeliverAlertFunction(deps: { client: Inngest.Any; db: () => Database }) {
  return deps.client.createFunction(
    {
      id: "deliver-alert",
      name: "Deliver an alert",
      retries: ALERT_DELIVERY_RETRIES,
      triggers: [alertDeliveryRequested],
      // One tenant's storm of alerts does not hold up another's.
      concurrency: { limit: 5, key: "event.data.tenantId" },
    },
    async ({ event, step, attempt, maxAttempts }) =>
      step.run("send", () =>
        attemptDelivery(
          deps.db(),
          event.data,
          attempt + 1 >= (maxAttempts ?? ALERT_DELIVERY_RETRIES + 1),
        ),
      ),
  );
}
