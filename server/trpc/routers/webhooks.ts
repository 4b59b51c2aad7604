import "server-only";

import {
  createWebhookInput,
  deleteWebhookInput,
  getWebhookDeliveryPayloadInput,
  getWebhookInput,
  listWebhookDeliveriesInput,
  replayDeliveryInput,
  rotateWebhookSecretInput,
  setWebhookEnabledInput,
  updateWebhookInput,
} from "@/lib/schemas/webhooks";
import { replayDelivery } from "@/server/services/webhooks/webhook-deliveries";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhookDeliveryPayload,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookSecret,
  setWebhookEnabled,
  updateWebhook,
} from "@/server/services/webhooks/webhooks";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const webhooksRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listWebhooks(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getWebhookInput)
    .query(({ ctx, input }) => getWebhook(ctx.db, ctx.tenant.id, input.webhookId)),

  deliveries: tenantProcedure
    .input(listWebhookDeliveriesInput)
    .query(({ ctx, input }) =>
      listWebhookDeliveries(
        ctx.db,
        { tenantId: ctx.tenant.id, webhookId: input.webhookId },
        { limit: input.limit, cursor: input.cursor },
      ),
    ),

  deliveryPayload: tenantProcedure.input(getWebhookDeliveryPayloadInput).query(({ ctx, input }) =>
    getWebhookDeliveryPayload(ctx.db, {
      tenantId: ctx.tenant.id,
      deliveryId: input.deliveryId,
    }),
  ),

  /** Answers the signing secret: shown once. */
  create: roleProcedure("admin")
    .input(createWebhookInput)
    .mutation(({ ctx, input }) =>
      createWebhook(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input,
      ),
    ),

  update: roleProcedure("admin")
    .input(updateWebhookInput)
    .mutation(({ ctx, input }) =>
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

  setEnabled: roleProcedure("admin")
    .input(setWebhookEnabledInput)
    .mutation(({ ctx, input }) =>
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

  /** Answers the new secret: shown once. The old one stays valid for `graceHours`. */
  rotateSecret: roleProcedure("admin")
    .input(rotateWebhookSecretInput)
    .mutation(({ ctx, input }) =>
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

  delete: roleProcedure("admin")
    .input(deleteWebhookInput)
    .mutation(({ ctx, input }) =>
      deleteWebhook(ctx.db, {
        tenantId: ctx.tenant.id,
        userId: ctx.user.id,
        audit: ctx.audit,
        webhookId: input.webhookId,
      }),
    ),

  /** Starts a run from a logged payload: an operator's call, like any other start. */
  replay: roleProcedure("operator")
    .input(replayDeliveryInput)
    .mutation(({ ctx, input }) =>
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
});
