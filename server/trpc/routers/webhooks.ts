import "server-only";
import { z } from "zod";
import { replayDelivery } from "@/server/services/webhooks/webhook-deliveries";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhookDeliveryPayload,
  listWebhookDeliveries,
  listWebhooks,
  MAX_ROTATION_GRACE_HOURS,
  rotateWebhookSecret,
  setWebhookEnabled,
  updateWebhook,
} from "@/server/services/webhooks/webhooks";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

const webhookId = z.object({ webhookId: z.uuid() });
const webhookInput = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  skillId: z.uuid(),
  agentId: z.uuid().nullable(),
  inputMapping: z.record(
    z.string(),
    z.object({ pointer: z.string().max(500).optional(), default: z.unknown().optional() }),
  ),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(6000, "must be at most 6000"),
  enabled: z.boolean(),
});

export const webhooksRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listWebhooks(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(webhookId)
    .query(({ ctx, input }) =>
      mapServiceErrors(() => getWebhook(ctx.db, ctx.tenant.id, input.webhookId)),
    ),

  deliveries: tenantProcedure
    .input(
      webhookId.extend({
        limit: z.number().int().min(1).max(100).default(50),
        cursor: z.uuid().nullish(),
      }),
    )
    .query(({ ctx, input }) =>
      mapServiceErrors(() =>
        listWebhookDeliveries(
          ctx.db,
          { tenantId: ctx.tenant.id, webhookId: input.webhookId },
          { limit: input.limit, cursor: input.cursor },
        ),
      ),
    ),

  deliveryPayload: tenantProcedure
    .input(z.object({ deliveryId: z.uuid() }))
    .query(({ ctx, input }) =>
      mapServiceErrors(() =>
        getWebhookDeliveryPayload(ctx.db, {
          tenantId: ctx.tenant.id,
          deliveryId: input.deliveryId,
        }),
      ),
    ),

  /** Answers the signing secret: shown once. */
  create: roleProcedure("admin")
    .input(webhookInput)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        createWebhook(
          ctx.db,
          { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
          input,
        ),
      ),
    ),

  update: roleProcedure("admin")
    .input(webhookId.extend({ webhook: webhookInput }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        updateWebhook(
          ctx.db,
          {
            tenantId: ctx.tenant.id,
            userId: ctx.user.id,
            audit: ctx.audit,
            webhookId: input.webhookId,
          },
          input.webhook,
        ),
      ),
    ),

  setEnabled: roleProcedure("admin")
    .input(webhookId.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        setWebhookEnabled(
          ctx.db,
          {
            tenantId: ctx.tenant.id,
            userId: ctx.user.id,
            audit: ctx.audit,
            webhookId: input.webhookId,
          },
          input.enabled,
        ),
      ),
    ),

  /** Answers the new secret: shown once. The old one stays valid for `graceHours`. */
  rotateSecret: roleProcedure("admin")
    .input(
      webhookId.extend({
        graceHours: z
          .number()
          .int()
          .min(0)
          .max(MAX_ROTATION_GRACE_HOURS, `must be at most ${MAX_ROTATION_GRACE_HOURS} (a week)`),
      }),
    )
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        rotateWebhookSecret(
          ctx.db,
          {
            tenantId: ctx.tenant.id,
            userId: ctx.user.id,
            audit: ctx.audit,
            webhookId: input.webhookId,
          },
          input.graceHours,
        ),
      ),
    ),

  delete: roleProcedure("admin")
    .input(webhookId)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        deleteWebhook(ctx.db, {
          tenantId: ctx.tenant.id,
          userId: ctx.user.id,
          audit: ctx.audit,
          webhookId: input.webhookId,
        }),
      ),
    ),

  /** Starts a run from a logged payload: an operator's call, like any other start. */
  replay: roleProcedure("operator")
    .input(z.object({ deliveryId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        replayDelivery(
          { db: ctx.db, dispatcher: ctx.dispatcher },
          {
            tenantId: ctx.tenant.id,
            userId: ctx.user.id,
            deliveryId: input.deliveryId,
            origin: ctx.audit.origin,
          },
        ),
      ),
    ),
});
