import "server-only";

import {
  alertHistoryInput,
  createAlertRuleInput,
  createChannelInput,
  deleteAlertRuleInput,
  deleteChannelInput,
  testAlertRuleInput,
  testChannelInput,
  updateAlertRuleInput,
  updateChannelInput,
} from "@/lib/schemas/alerts";
import { listAlertHistory } from "@/server/services/alerts/deliveries";
import {
  createAlertRule,
  deleteAlertRule,
  listAlertRules,
  updateAlertRule,
} from "@/server/services/alerts/rules";
import { sendChannelTest, sendRuleTest } from "@/server/services/alerts/test-send";
import {
  createChannel,
  deleteChannel,
  listChannels,
  updateChannel,
} from "@/server/services/notify/channels";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/**
 * Alerts: admins configure channels and rules; every member may read the rules and the history
 * (what was sent, when, and whether it arrived). Channels are admins' only: they hold
 * addresses and URLs. "Send test" is a mutation: it reaches out and writes the history.
 */
export const alertsRouter = createTRPCRouter({
  channels: roleProcedure("admin").query(({ ctx }) => listChannels(ctx.db, ctx.tenant.id)),

  createChannel: roleProcedure("admin")
    .input(createChannelInput)
    .mutation(({ ctx, input }) =>
      createChannel(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  updateChannel: roleProcedure("admin")
    .input(updateChannelInput)
    .mutation(({ ctx, input }) =>
      updateChannel(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  deleteChannel: roleProcedure("admin")
    .input(deleteChannelInput)
    .mutation(({ ctx, input }) =>
      deleteChannel(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input.channelId),
    ),

  testChannel: roleProcedure("admin")
    .input(testChannelInput)
    .mutation(({ ctx, input }) => sendChannelTest(ctx.db, ctx.tenant.id, input.channelId)),

  rules: tenantProcedure.query(({ ctx }) => listAlertRules(ctx.db, ctx.tenant.id)),

  createRule: roleProcedure("admin")
    .input(createAlertRuleInput)
    .mutation(({ ctx, input }) =>
      createAlertRule(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input.rule),
    ),

  updateRule: roleProcedure("admin")
    .input(updateAlertRuleInput)
    .mutation(({ ctx, input }) =>
      updateAlertRule(
        ctx.db,
        { tenantId: ctx.tenant.id, audit: ctx.audit, ruleId: input.ruleId },
        input.rule,
      ),
    ),

  deleteRule: roleProcedure("admin")
    .input(deleteAlertRuleInput)
    .mutation(({ ctx, input }) =>
      deleteAlertRule(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit, ruleId: input.ruleId }),
    ),

  testRule: roleProcedure("admin")
    .input(testAlertRuleInput)
    .mutation(({ ctx, input }) => sendRuleTest(ctx.db, ctx.tenant.id, input.ruleId)),

  history: tenantProcedure
    .input(alertHistoryInput)
    .query(({ ctx, input }) => listAlertHistory(ctx.db, ctx.tenant.id, input)),
});
