import { z } from "zod";
import { ALERT_TRIGGERS, FAILURE_CODES } from "@/lib/enums";

/** Alert channels and rules: one schema per operation, shared by the routers, services and forms. */

const name = z.string().trim().min(1, "is required").max(80, "is too long (80 characters at most)");
const email = z.email("is not an email address").max(320);
const httpUrl = z
  .string()
  .trim()
  .min(1, "is required")
  .max(2000, "is too long (2,000 characters at most)")
  .refine((value) => URL.canParse(value), "is not a URL (e.g. https://example.com/hook)");
const secretText = z
  .string()
  .trim()
  .min(1, "is required")
  .max(4096, "is too long (4,096 characters at most)");

export const SMTP_SECURITY = ["tls", "starttls", "none"] as const;

/** The SMTP server is the tenant's own (host, port, account): its password is the channel's secret. */
export const emailChannelConfig = z.object({
  recipients: z
    .array(email)
    .min(1, "needs at least one address")
    .max(20, "has too many addresses (20 at most)"),
  smtpHost: z
    .string()
    .trim()
    .min(1, "is required")
    .max(253)
    .regex(/^[a-zA-Z0-9.:[\]-]+$/, "is not a host name"),
  smtpPort: z.number().int().min(1, "is not a port").max(65535, "is not a port"),
  smtpSecurity: z.enum(SMTP_SECURITY),
  smtpUser: z.string().trim().max(320).optional(),
  from: email,
});
/** A Slack incoming webhook's URL is itself the credential: it is the channel's secret, not config. */
export const slackChannelConfig = z.object({});
/** A signed webhook: the URL is config (shown to admins), the signing secret is generated. */
export const webhookChannelConfig = z.object({ url: httpUrl });

export const channelInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("email"), name, config: emailChannelConfig }),
  z.object({ kind: z.literal("slack"), name, config: slackChannelConfig }),
  z.object({ kind: z.literal("webhook"), name, config: webhookChannelConfig }),
]);
export type ChannelInput = z.infer<typeof channelInput>;
export type ChannelConfig =
  | z.infer<typeof emailChannelConfig>
  | z.infer<typeof slackChannelConfig>
  | z.infer<typeof webhookChannelConfig>;

/** The secret is write-only: an edit keeps it, replaces it, or (an SMTP password) removes it. */
export const channelSecretChange = z.discriminatedUnion("action", [
  z.object({ action: z.literal("keep") }),
  z.object({ action: z.literal("replace"), value: secretText }),
  z.object({ action: z.literal("remove") }),
]);
export type ChannelSecretChange = z.infer<typeof channelSecretChange>;

const channelId = z.object({ channelId: z.uuid() });
/**
 * On create, `secret` is the SMTP password (optional) or the Slack URL (required); a signed
 * webhook's secret is generated and answered once.
 */
export const createChannelInput = z.object({
  channel: channelInput,
  secret: secretText.optional(),
});
export type CreateChannelInput = z.infer<typeof createChannelInput>;
export const updateChannelInput = channelId.extend({
  channel: channelInput,
  secret: channelSecretChange,
});
export type UpdateChannelInput = z.infer<typeof updateChannelInput>;
export const deleteChannelInput = channelId;
export const testChannelInput = channelId;

export const alertRuleFilters = z.object({
  skillId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  failureCodes: z.array(z.enum(FAILURE_CODES)).max(FAILURE_CODES.length).optional(),
  /** failure_rate: fire when failed / finished runs in the window is above this. */
  thresholdPercent: z.number().min(0).max(100).optional(),
  windowMinutes: z.number().int().min(5).max(10080).optional(),
  /** failure_rate: fewer finished runs than this in the window never fire (one failure of one run is 100 %). */
  minRuns: z.number().int().min(1).max(100000).optional(),
  /** approval_waiting: a run waiting for a decision longer than this many minutes (up to 7 days). */
  waitMinutes: z
    .number()
    .int("is a whole number of minutes")
    .min(1, "is at least 1 minute")
    .max(10080, "is at most a week (10,080 minutes)")
    .optional(),
});
export type AlertRuleFilters = z.infer<typeof alertRuleFilters>;

export const alertRuleInput = z
  .object({
    name,
    trigger: z.enum(ALERT_TRIGGERS),
    filters: alertRuleFilters,
    cooldownMinutes: z
      .number()
      .int("is a whole number of minutes")
      .min(1, "is at least 1 minute")
      .max(10080, "is at most a week (10,080 minutes)"),
    enabled: z.boolean(),
    channelIds: z
      .array(z.uuid())
      .min(1, "needs at least one channel")
      .max(10, "has too many channels (10 at most)"),
  })
  .superRefine((rule, ctx) => {
    if (rule.trigger === "approval_waiting" && rule.filters.waitMinutes === undefined)
      ctx.addIssue({ code: "custom", path: ["filters", "waitMinutes"], message: "is required" });
    if (rule.trigger !== "failure_rate") return;
    if (rule.filters.thresholdPercent === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["filters", "thresholdPercent"],
        message: "is required",
      });
    if (rule.filters.windowMinutes === undefined)
      ctx.addIssue({ code: "custom", path: ["filters", "windowMinutes"], message: "is required" });
  });
export type AlertRuleInput = z.infer<typeof alertRuleInput>;

const ruleId = z.object({ ruleId: z.uuid() });
export const createAlertRuleInput = z.object({ rule: alertRuleInput });
export const updateAlertRuleInput = ruleId.extend({ rule: alertRuleInput });
export const deleteAlertRuleInput = ruleId;
export const testAlertRuleInput = ruleId;

export const alertHistoryInput = z.object({
  ruleId: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
