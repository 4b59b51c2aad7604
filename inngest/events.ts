import { eventType } from "inngest";
import { z } from "zod";
import { INVOCATION_SOURCES } from "@/lib/enums";

/**
 * The events between the services and the functions, each a contract: its name and the schema
 * of its data. The services send them (runs.ts, reconcile.ts); run-skill is triggered and
 * cancelled by these definitions, so the SDK checks a triggering event's data against the
 * schema before the handler runs.
 */

/** A run as events and steps name it; what the engine hands back is read with this schema. */
export const runRefSchema = z.object({ runId: z.uuid(), tenantId: z.string().min(1).max(200) });
export type RunRef = z.infer<typeof runRefSchema>;

/**
 * Execute this committed, queued run, with what started it (`source`, run-skill's priority reads
 * it); events sent before the source was added carry none and stay valid. Its event id is the
 * run id, so a repeated send is deduplicated.
 */
export const runRequestedSchema = runRefSchema.extend({
  source: z.enum(INVOCATION_SOURCES).optional(),
});
export type RunRequested = z.infer<typeof runRequestedSchema>;
export const runRequested = eventType("skill/run.requested", { schema: runRequestedSchema });
/** The run was cancelled: its function stops before the next step (`cancelOn`, matched on the run id). */
export const runCancelRequested = eventType("skill/run.cancel-requested", { schema: runRefSchema });

/**
 * The run paused for this approval: run-skill-approval waits for its decision, at most
 * `timeoutSeconds`. Its event id is the approval id, so a repeated send is deduplicated.
 */
export const approvalRequestedSchema = runRefSchema.extend({
  approvalId: z.uuid(),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(8 * 24 * 60 * 60),
});
export type ApprovalRequested = z.infer<typeof approvalRequestedSchema>;
export const runApprovalRequested = eventType("skill/run.approval-requested", {
  schema: approvalRequestedSchema,
});
/** An operator decided on the run's pending approval (the decision itself is in the database). */
export const approvalDecidedSchema = runRefSchema.extend({ approvalId: z.uuid() });
export type ApprovalDecided = z.infer<typeof approvalDecidedSchema>;
export const runApprovalDecided = eventType("skill/run.approval-decided", {
  schema: approvalDecidedSchema,
});

export const RUN_REQUESTED = runRequested.name;
export const RUN_CANCEL_REQUESTED = runCancelRequested.name;
export const RUN_APPROVAL_DECIDED = runApprovalDecided.name;

/**
 * Process this bulk operation ("Cancel/Re-run all matching"); its event id is the operation id,
 * so a repeated send is deduplicated.
 */
export const bulkOperationRefSchema = z.object({
  operationId: z.uuid(),
  tenantId: z.string().min(1).max(200),
});
export type BulkOperationRef = z.infer<typeof bulkOperationRefSchema>;
export const bulkOperationRequested = eventType("runs/bulk-operation.requested", {
  schema: bulkOperationRefSchema,
});
export const BULK_OPERATION_REQUESTED = bulkOperationRequested.name;

/** An event as the services send it. */
export type RunEvent =
  | { name: typeof RUN_REQUESTED; id?: string; data: RunRequested }
  | { name: typeof RUN_CANCEL_REQUESTED; id?: string; data: RunRef }
  | { name: typeof BULK_OPERATION_REQUESTED; id?: string; data: BulkOperationRef }
  | { name: typeof RUN_APPROVAL_DECIDED; id?: string; data: ApprovalDecided }
  | { name: typeof RUN_DELIVERY_REQUESTED; id: string; data: RunDeliveryRef };

/**
 * Send this queued alert delivery (`server/services/alerts`); its event id is the delivery id,
 * so a repeated send is deduplicated. The delivery function retries it with backoff.
 */
export const alertDeliveryRefSchema = z.object({
  deliveryId: z.uuid(),
  tenantId: z.string().min(1).max(200),
});
export const alertDeliveryRequested = eventType("alert/delivery.requested", {
  schema: alertDeliveryRefSchema,
});

/**
 * Send this run's result to one place (`server/services/deliveries`). The sweep that queues it
 * names the event `<delivery id>:<queued at>`, so a repeated send of one queuing, and the re-send
 * of an event thought lost, are deduplicated; a console Retry queues anew, with a new id. The
 * function retries it with backoff.
 */
export const runDeliveryRefSchema = z.object({
  deliveryId: z.uuid(),
  tenantId: z.string().min(1).max(200),
});
export type RunDeliveryRef = z.infer<typeof runDeliveryRefSchema>;
export const runDeliveryRequested = eventType("run/delivery.requested", {
  schema: runDeliveryRefSchema,
});
export const RUN_DELIVERY_REQUESTED = runDeliveryRequested.name;
