import { z } from "zod";

/** A run whose deliveries to list. */
export const runDeliveriesInput = z.object({ runId: z.uuid() });

/** A failed delivery to send again. */
export const retryRunDeliveryInput = z.object({ deliveryId: z.uuid() });
