import { z } from "zod";
import { tagProblem } from "@/lib/run-tags";
import { runTags } from "@/lib/schemas/runs";

const webhookId = z.object({ webhookId: z.uuid() });
const deliveryId = z.object({ deliveryId: z.uuid() });

/** Longest grace a rotation may give the old secret: a week covers a sender's release cycle. */
export const MAX_ROTATION_GRACE_HOURS = 7 * 24;

/** Per skill input: where in the payload it is read (a JSON Pointer), and what it is when absent. */
export const webhookInputMapping = z.record(
  z.string(),
  z.object({ pointer: z.string().max(500).optional(), default: z.unknown().optional() }),
);
export type WebhookInputMapping = z.infer<typeof webhookInputMapping>;

/** Per tag key: the JSON Pointer whose value in the payload becomes the tag's value. */
export const webhookTagMapping = z.record(
  z.string().superRefine((key, context) => {
    // The key as a tag's would be, with any value.
    const problem = tagProblem(`${key}:x`);
    if (problem) context.addIssue({ code: "custom", message: problem.replace(`:x"`, `"`) });
  }),
  z.string().min(1, "is required").max(500),
);
export type WebhookTagMapping = z.infer<typeof webhookTagMapping>;

/** What a webhook is: the body of create, and of update next to the webhook's id. */
export const webhookInput = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  skillId: z.uuid(),
  /** null: the tenant's default agent at delivery time. */
  agentId: z.uuid().nullable(),
  inputMapping: webhookInputMapping,
  /** Tags every run of the webhook carries, and tags read from each payload. */
  tags: runTags.optional(),
  tagMapping: webhookTagMapping.optional(),
  /** The tenant's notification channels each run's result is delivered to. */
  deliveryChannelIds: z.array(z.uuid()).max(10, "at most 10 channels").optional(),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(6000, "must be at most 6000"),
  enabled: z.boolean(),
});
export type WebhookInput = z.infer<typeof webhookInput>;

export const getWebhookInput = webhookId;
export const listWebhookDeliveriesInput = webhookId.extend({
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.uuid().nullish(),
});
export const getWebhookDeliveryPayloadInput = deliveryId;
export const createWebhookInput = webhookInput;
export const updateWebhookInput = webhookId.extend({ webhook: webhookInput });
export const setWebhookEnabledInput = webhookId.extend({ enabled: z.boolean() });
export const rotateWebhookSecretInput = webhookId.extend({
  graceHours: z
    .number()
    .int()
    .min(0)
    .max(MAX_ROTATION_GRACE_HOURS, `must be at most ${MAX_ROTATION_GRACE_HOURS} (a week)`),
});
export const deleteWebhookInput = webhookId;
export const replayDeliveryInput = deliveryId;
