import { eventType } from "inngest";
import { z } from "zod";

/**
 * The events between the services and the functions, each a contract: its name and the schema
 * of its data. The services send them (runs.ts, reconcile.ts); run-skill is triggered and
 * cancelled by these definitions, so the SDK checks a triggering event's data against the
 * schema before the handler runs.
 */

/** A run as events and steps name it; what the engine hands back is read with this schema. */
export const runRefSchema = z.object({ runId: z.uuid(), tenantId: z.string().min(1).max(200) });
export type RunRef = z.infer<typeof runRefSchema>;

/** Execute this committed, queued run. Its event id is the run id, so a repeated send is deduplicated. */
export const runRequested = eventType("skill/run.requested", { schema: runRefSchema });
/** The run was cancelled: its function stops before the next step (`cancelOn`, matched on the run id). */
export const runCancelRequested = eventType("skill/run.cancel-requested", { schema: runRefSchema });

export const RUN_REQUESTED = runRequested.name;
export const RUN_CANCEL_REQUESTED = runCancelRequested.name;

/** An event as the services send it. */
export type RunEvent = {
  name: typeof RUN_REQUESTED | typeof RUN_CANCEL_REQUESTED;
  id?: string;
  data: RunRef;
};
