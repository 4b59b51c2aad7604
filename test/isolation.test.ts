/**
 * The tenant-isolation proof. Every tRPC procedure, found by walking the router, has an
 * entry here saying the role it needs and how to call it with another tenant's ids. For
 * each: no session → UNAUTHORIZED; a role below the one needed → FORBIDDEN; another tenant's
 * ids → exactly what an id that does not exist gets (a list: nothing of theirs); another tenant's
 * agent, where a procedure takes one, → what an unknown agent gets; a session whose active tenant
 * the user does not belong to → FORBIDDEN; a request naming a tenant other than the session's
 * active one (a tab left behind by a switch in another tab) → PRECONDITION_FAILED. Every refused
 * request must leave every table as it was. A procedure added without an entry fails the first test.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { MEMBER_ROLES, type MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { uploadDocumentsForm } from "@/lib/knowledge-bases";
import { TENANT_HEADER } from "@/lib/tenant-header";
import {
  agentTemplates,
  bulkOperations,
  memberships,
  runDeliveries,
  schedules,
  sessions,
  webhookDeliveries,
} from "@/server/db/schema";
import { appRouter } from "@/server/trpc/root";
import {
  callerFor,
  createTenant,
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
let engine: Engine;
let dispatcher: Inngest;

type Caller = Awaited<ReturnType<typeof callerFor>>;
/** A tenant's ids (the caller's own, the other tenant's), or ids that exist nowhere. */
type Ids = {
  tenantId: string;
  runId: string;
  scheduleId: string;
  agentId: string;
  skillId: string;
  skillSlug: string;
  apiKeyId: string;
  memberId: string;
  webhookId: string;
  deliveryId: string;
  /** A failed delivery of the run's result. */
  runDeliveryId: string;
  invitationId: string;
  knowledgeBaseId: string;
  kbDocumentId: string;
  mcpServerId: string;
  alertChannelId: string;
  alertRuleId: string;
  templateId: string;
  guardrailId: string;
  /** A view the tenant's owner shared. */
  savedViewId: string;
  /** A running "Cancel all matching" of the tenant's. */
  bulkOperationId: string;
  /** A member's user id (the tenant owner's), as an agent's paired user. */
  userId: string;
};
type Entry = {
  /** "signed-in": any session, no tenant needed. */
  role: MemberRole | "signed-in";
  call: (caller: Caller, ids: Ids) => Promise<unknown>;
  /** Lists: the result given the other tenant's ids must hold none of their rows. */
  list?: (result: unknown, theirs: Ids) => boolean;
  /** Takes no id of any tenant (it creates in the caller's own), so there is nothing foreign to try. */
  takesNoIds?: true;
  /** Takes an agent: called with the caller's own ids and `agentId`, another tenant's or an unknown one. */
  withAgent?: (caller: Caller, own: Ids, agentId: string) => Promise<unknown>;
};

const scheduleInput = (ids: Ids) => ({
  name: "Probe",
  skillId: ids.skillId,
  agentId: ids.agentId,
  inputs: {},
  cron: "0 9 * * *",
  timezone: "UTC",
  overlapPolicy: "skip" as const,
  enabled: true,
  // Another tenant's channel is refused exactly like one that does not exist.
  deliveryChannelIds: [ids.alertChannelId],
});
/** An MCP server on this machine's discard port: saving checks the URL, nothing connects. */
const mcpServerInput = { name: "Probe", url: "http://127.0.0.1:9/mcp" };
const webhookInput = (ids: Ids) => ({
  name: "Probe",
  skillId: ids.skillId,
  agentId: ids.agentId,
  inputMapping: {},
  rateLimitPerMinute: 60,
  enabled: true,
  deliveryChannelIds: [ids.alertChannelId],
});
const templateInput = (ids: Ids) => ({
  name: "Probe",
  description: "",
  systemPrompt: "Probe.",
  defaultModel: null,
  blockedTools: [],
  guardrailId: ids.guardrailId,
  maxSteps: 4,
  timeoutSeconds: 60,
  approvalTools: [],
  approveDeliverable: false,
  approvalTimeoutSeconds: 3600,
});
const guardrailInput = {
  name: "Probe",
  description: "",
  deniedTerms: ["probe"],
  deniedPatterns: [],
  pii: "off" as const,
  maxDeliverableChars: null,
  isTenantDefault: false,
};
/** An agent linking every kind of row an agent can link to. */
const agentInput = (ids: Ids) => ({
  name: "Probe",
  description: "",
  templateId: ids.templateId,
  modelOverride: null,
  skillIds: [ids.skillId],
  mcpServerIds: [ids.mcpServerId],
  knowledgeBaseIds: [ids.knowledgeBaseId],
  pairedUserId: ids.userId,
});
/** A valid skill; with a tenant's ids, that tenant's skill's slug (a new version of it). */
const skillDraft = (ids?: Ids) => ({
  slug: ids?.skillSlug ?? `probe-${randomUUID().slice(0, 8)}`,
  name: "Probe",
  description: "A probe skill.",
  inputsSchema: { type: "object" as const, properties: {} },
  instructions: "Probe.",
  referenceFiles: [],
});
/** The caller's own ids with someone else's agent. */
const ownWithAgent = (own: Ids, agentId: string): Ids => ({ ...own, agentId });
const holdsNone = (result: unknown, theirs: Ids) =>
  !JSON.stringify(result).includes(theirs.skillId) &&
  !JSON.stringify(result).includes(theirs.runId);

const probeUpload = (knowledgeBaseId: string) =>
  uploadDocumentsForm(knowledgeBaseId, [new File(["# Probe\n\nProbe text."], "probe.md")]);

/** A skill zip whose folder, the slug it imports under, is `slug`. */
const skillZipOf = (slug: string) =>
  Buffer.from(
    zipSync({
      [`${slug}/SKILL.md`]: strToU8(
        "---\nname: Probe\ndescription: Probe.\ninputs:\n  type: object\n  properties: {}\n---\n\nProbe.\n",
      ),
    }),
  ).toString("base64");

/** A run-failed rule on one channel and skill; a channel on this machine's discard port. */
const alertRuleInput = (ids: Pick<Ids, "alertChannelId" | "skillId">, name = "Probe") => ({
  name: `${name} ${randomUUID().slice(0, 8)}`,
  trigger: "run_failed" as const,
  filters: { skillId: ids.skillId },
  cooldownMinutes: 60,
  enabled: true,
  channelIds: [ids.alertChannelId],
});
const alertChannelInput = () => ({
  kind: "webhook" as const,
  name: `Probe ${randomUUID().slice(0, 8)}`,
  config: { url: "http://127.0.0.1:9/hook" },
});

const MATRIX: Record<string, Entry> = {
  "alerts.channels": {
    role: "admin",
    call: (c) => c.alerts.channels(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.alertChannelId),
  },
  "alerts.createChannel": {
    role: "admin",
    call: (c) => c.alerts.createChannel({ channel: alertChannelInput() }),
    takesNoIds: true,
  },
  "alerts.updateChannel": {
    role: "admin",
    call: (c, ids) =>
      c.alerts.updateChannel({
        channelId: ids.alertChannelId,
        channel: alertChannelInput(),
        secret: { action: "keep" },
      }),
  },
  "alerts.deleteChannel": {
    role: "admin",
    call: (c, ids) => c.alerts.deleteChannel({ channelId: ids.alertChannelId }),
  },
  "alerts.testChannel": {
    role: "admin",
    call: (c, ids) => c.alerts.testChannel({ channelId: ids.alertChannelId }),
  },
  "alerts.rules": {
    role: "viewer",
    call: (c) => c.alerts.rules(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.alertRuleId),
  },
  "alerts.createRule": {
    role: "admin",
    call: (c, ids) => c.alerts.createRule({ rule: alertRuleInput(ids) }),
  },
  "alerts.updateRule": {
    role: "admin",
    call: (c, ids) => c.alerts.updateRule({ ruleId: ids.alertRuleId, rule: alertRuleInput(ids) }),
  },
  "alerts.deleteRule": {
    role: "admin",
    call: (c, ids) => c.alerts.deleteRule({ ruleId: ids.alertRuleId }),
  },
  "alerts.testRule": {
    role: "admin",
    call: (c, ids) => c.alerts.testRule({ ruleId: ids.alertRuleId }),
  },
  "alerts.history": {
    role: "viewer",
    call: (c, ids) => c.alerts.history({ ruleId: ids.alertRuleId }),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.alertRuleId),
  },
  "viewer.get": {
    role: "signed-in",
    call: (c) => c.viewer.get(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.tenantId),
  },
  "skills.list": { role: "viewer", call: (c) => c.skills.list(), list: holdsNone },
  "skills.get": { role: "viewer", call: (c, ids) => c.skills.get({ slug: ids.skillSlug }) },
  "skillArchives.export": {
    role: "viewer",
    call: (c, ids) => c.skillArchives.export({ slug: ids.skillSlug }),
  },
  "skillArchives.previewImport": {
    role: "admin",
    // Another tenant's slug reads as a new skill of the caller's: nothing of theirs to diff against.
    call: (c, ids) => c.skillArchives.previewImport({ archive: skillZipOf(ids.skillSlug) }),
    list: (result, theirs) =>
      (result as { existing: unknown }).existing === null &&
      !JSON.stringify(result).includes(theirs.skillId),
  },
  "skillArchives.import": {
    role: "admin",
    call: (c, ids) =>
      c.skillArchives.import({
        archive: skillZipOf(ids.skillSlug),
        replace: { versionHash: "v1" },
      }),
  },
  "skills.versions": {
    role: "viewer",
    call: (c, ids) => c.skills.versions({ skillId: ids.skillId }),
  },
  "skills.version": {
    role: "viewer",
    call: (c, ids) => c.skills.version({ skillId: ids.skillId, versionHash: "v1" }),
  },
  "skills.validate": {
    role: "admin",
    call: (c, ids) => c.skills.validate({ skillId: ids.skillId, skill: skillDraft(ids) }),
    list: holdsNone,
  },
  "skills.create": {
    role: "admin",
    call: (c) => c.skills.create(skillDraft()),
    takesNoIds: true,
  },
  "skills.update": {
    role: "admin",
    call: (c, ids) => c.skills.update({ skillId: ids.skillId, skill: skillDraft(ids) }),
  },
  "skills.setEnabled": {
    role: "admin",
    call: (c, ids) => c.skills.setEnabled({ skillId: ids.skillId, enabled: false }),
  },
  "skills.delete": { role: "admin", call: (c, ids) => c.skills.delete({ skillId: ids.skillId }) },
  "skills.duplicate": {
    role: "admin",
    call: (c, ids) => c.skills.duplicate({ skillId: ids.skillId }),
  },
  "agents.list": {
    role: "viewer",
    call: (c) => c.agents.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.agentId),
  },
  "agents.get": { role: "viewer", call: (c, ids) => c.agents.get({ agentId: ids.agentId }) },
  "agents.effectiveConfig": {
    role: "viewer",
    call: (c, ids) => c.agents.effectiveConfig({ agentId: ids.agentId }),
  },
  "agents.formOptions": {
    role: "admin",
    call: (c) => c.agents.formOptions(),
    list: (result, theirs) =>
      [
        theirs.templateId,
        theirs.skillId,
        theirs.mcpServerId,
        theirs.knowledgeBaseId,
        theirs.userId,
      ].every((id) => !JSON.stringify(result).includes(id)),
  },
  "agents.previewConfig": {
    role: "admin",
    call: (c, ids) => c.agents.previewConfig({ agentId: ids.agentId, draft: agentInput(ids) }),
    withAgent: (c, own, agentId) => c.agents.previewConfig({ agentId, draft: agentInput(own) }),
  },
  "agents.create": {
    role: "admin",
    call: (c, ids) => c.agents.create(agentInput(ids)),
  },
  "agents.update": {
    role: "admin",
    call: (c, ids) => c.agents.update({ agentId: ids.agentId, agent: agentInput(ids) }),
    withAgent: (c, own, agentId) => c.agents.update({ agentId, agent: agentInput(own) }),
  },
  "agents.duplicate": {
    role: "admin",
    call: (c, ids) => c.agents.duplicate({ agentId: ids.agentId }),
  },
  "agents.delete": {
    role: "admin",
    call: (c, ids) => c.agents.delete({ agentId: ids.agentId }),
  },
  "agents.setDefault": {
    role: "admin",
    call: (c, ids) => c.agents.setDefault({ agentId: ids.agentId }),
  },
  "runs.start": {
    role: "operator",
    call: (c, ids) => c.runs.start({ skillSlug: ids.skillSlug, inputs: {} }),
    withAgent: (c, own, agentId) => c.runs.start({ skillSlug: own.skillSlug, agentId, inputs: {} }),
  },
  "runs.cancel": { role: "operator", call: (c, ids) => c.runs.cancel({ runId: ids.runId }) },
  "approvals.list": {
    role: "viewer",
    call: (c) => c.approvals.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.runId),
  },
  "approvals.count": { role: "viewer", call: (c) => c.approvals.count(), takesNoIds: true },
  "approvals.forRun": {
    role: "viewer",
    call: (c, ids) => c.approvals.forRun({ runId: ids.runId }),
    list: (result) => result === null,
  },
  "approvals.approve": {
    role: "operator",
    call: (c, ids) => c.approvals.approve({ runId: ids.runId, approvalId: ids.runId }),
  },
  "approvals.reject": {
    role: "operator",
    call: (c, ids) =>
      c.approvals.reject({ runId: ids.runId, approvalId: ids.runId, reason: "Not now." }),
  },
  "approvals.approveMany": {
    role: "operator",
    call: (c, ids) =>
      c.approvals.approveMany({ runIds: [ids.runId], actionKey: "current_time:{}" }),
  },
  "runs.rerun": {
    role: "operator",
    call: (c, ids) => c.runs.rerun({ runId: ids.runId }),
    withAgent: (c, own, agentId) => c.runs.rerun({ runId: own.runId, agentId }),
  },
  "runs.setTags": {
    role: "operator",
    call: (c, ids) => c.runs.setTags({ runId: ids.runId, tags: ["env:prod"] }),
  },
  "runDeliveries.list": {
    role: "viewer",
    call: (c, ids) => c.runDeliveries.list({ runId: ids.runId }),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.runDeliveryId),
  },
  "runDeliveries.retry": {
    role: "operator",
    call: (c, ids) => c.runDeliveries.retry({ deliveryId: ids.runDeliveryId }),
  },
  "runs.get": { role: "viewer", call: (c, ids) => c.runs.get({ runId: ids.runId }) },
  "runs.delete": { role: "admin", call: (c, ids) => c.runs.delete({ runId: ids.runId }) },
  "runs.list": {
    role: "viewer",
    call: (c, ids) => c.runs.list({ skillId: ids.skillId }),
    list: holdsNone,
  },
  "runs.sourceNames": {
    role: "viewer",
    call: (c, ids) =>
      c.runs.sourceNames({
        scheduleId: ids.scheduleId,
        webhookId: ids.webhookId,
        apiKeyId: ids.apiKeyId,
      }),
    list: (result) =>
      JSON.stringify(result) === JSON.stringify({ schedule: null, webhook: null, apiKey: null }),
  },
  "runs.events": { role: "viewer", call: (c, ids) => c.runs.events({ runId: ids.runId }) },
  // Paired with the caller's own run: the other id alone decides, as a second foreign run would.
  "runCompare.get": {
    role: "viewer",
    call: (c, ids) => c.runCompare.get({ a: ids.runId, b: mine.runId }),
  },
  "savedViews.list": {
    role: "viewer",
    call: (c) => c.savedViews.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.savedViewId),
  },
  "savedViews.create": {
    role: "viewer",
    call: (c) => c.savedViews.create({ name: "Probe", query: "status=failed" }),
    takesNoIds: true,
  },
  "savedViews.update": {
    role: "viewer",
    call: (c, ids) => c.savedViews.update({ viewId: ids.savedViewId, name: "Probe" }),
  },
  "savedViews.delete": {
    role: "viewer",
    call: (c, ids) => c.savedViews.delete({ viewId: ids.savedViewId }),
  },
  "bulkOperations.count": {
    role: "operator",
    call: (c, ids) => c.bulkOperations.count({ kind: "rerun", filters: { skillId: ids.skillId } }),
    list: (result) => JSON.stringify(result).startsWith('{"count":0,'),
  },
  // Overrides make the service look the filter's skill up: another tenant's is an unknown one.
  "bulkOperations.start": {
    role: "operator",
    call: (c, ids) =>
      c.bulkOperations.start({
        kind: "rerun",
        filters: { skillId: ids.skillId },
        inputOverrides: { topic: "Probe" },
        idempotencyKey: randomUUID(),
        confirmedTotal: 0,
      }),
  },
  "bulkOperations.cancel": {
    role: "operator",
    call: (c, ids) => c.bulkOperations.cancel({ operationId: ids.bulkOperationId }),
  },
  "bulkOperations.recent": {
    role: "viewer",
    call: (c) => c.bulkOperations.recent(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.bulkOperationId),
  },
  "runFeedback.get": { role: "viewer", call: (c, ids) => c.runFeedback.get({ runId: ids.runId }) },
  "runFeedback.set": {
    role: "operator",
    call: (c, ids) => c.runFeedback.set({ runId: ids.runId, rating: "bad", comment: "Probe." }),
  },
  "runFeedback.rollup": {
    role: "viewer",
    call: (c, ids) => c.runFeedback.rollup({ skillId: ids.skillId }),
    withAgent: (c, _own, agentId) => c.runFeedback.rollup({ agentId }),
  },
  "dashboard.overview": {
    role: "viewer",
    call: (c, ids) => c.dashboard.overview({ window: "30d", skillId: ids.skillId }),
    withAgent: (c, _own, agentId) => c.dashboard.overview({ window: "30d", agentId }),
  },
  "schedules.list": {
    role: "viewer",
    call: (c, ids) => c.schedules.list({ skillId: ids.skillId }),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.scheduleId),
  },
  "schedules.get": {
    role: "viewer",
    call: (c, ids) => c.schedules.get({ scheduleId: ids.scheduleId }),
  },
  "schedules.slots": {
    role: "viewer",
    call: (c, ids) => c.schedules.slots({ scheduleId: ids.scheduleId }),
  },
  "schedules.create": {
    role: "admin",
    call: (c, ids) => c.schedules.create(scheduleInput(ids)),
    withAgent: (c, own, agentId) => c.schedules.create(scheduleInput(ownWithAgent(own, agentId))),
  },
  "schedules.update": {
    role: "admin",
    call: (c, ids) =>
      c.schedules.update({ scheduleId: ids.scheduleId, schedule: scheduleInput(ids) }),
    withAgent: (c, own, agentId) =>
      c.schedules.update({
        scheduleId: own.scheduleId,
        schedule: scheduleInput(ownWithAgent(own, agentId)),
      }),
  },
  "schedules.setEnabled": {
    role: "admin",
    call: (c, ids) => c.schedules.setEnabled({ scheduleId: ids.scheduleId, enabled: false }),
  },
  "schedules.delete": {
    role: "admin",
    call: (c, ids) => c.schedules.delete({ scheduleId: ids.scheduleId }),
  },
  "schedules.runNow": {
    role: "operator",
    call: (c, ids) => c.schedules.runNow({ scheduleId: ids.scheduleId }),
  },
  "apiKeys.list": {
    role: "admin",
    call: (c) => c.apiKeys.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.apiKeyId),
  },
  "apiKeys.create": {
    role: "admin",
    call: (c) => c.apiKeys.create({ name: "Probe", role: "viewer" }),
    takesNoIds: true,
  },
  "apiKeys.revoke": { role: "admin", call: (c, ids) => c.apiKeys.revoke({ keyId: ids.apiKeyId }) },
  "members.list": {
    role: "admin",
    call: (c) => c.members.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.memberId),
  },
  "members.invite": {
    role: "admin",
    call: (c) =>
      c.members.invite({ email: `probe-${randomUUID().slice(0, 8)}@example.test`, role: "viewer" }),
    takesNoIds: true,
  },
  "members.invitations": {
    role: "admin",
    call: (c) => c.members.invitations(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.invitationId),
  },
  "members.revokeInvitation": {
    role: "admin",
    call: (c, ids) => c.members.revokeInvitation({ invitationId: ids.invitationId }),
  },
  "members.updateRole": {
    role: "admin",
    call: (c, ids) => c.members.updateRole({ memberId: ids.memberId, role: "viewer" }),
  },
  "members.remove": {
    role: "admin",
    call: (c, ids) => c.members.remove({ memberId: ids.memberId }),
  },
  "audit.list": {
    role: "admin",
    call: (c) => c.audit.list({}),
    list: (result, theirs) =>
      ![theirs.runId, theirs.apiKeyId, theirs.memberId, theirs.invitationId].some((id) =>
        JSON.stringify(result).includes(id),
      ),
  },
  // The month's spend and limits are the caller's tenant's; there is no id to take.
  "budgets.status": { role: "viewer", call: (c) => c.budgets.status(), takesNoIds: true },
  "budgets.update": {
    role: "admin",
    call: (c) => c.budgets.update({ softLimitUsd: 5, hardLimitUsd: 10, timezone: "Europe/Berlin" }),
    takesNoIds: true,
  },
  "retention.policy": { role: "admin", call: (c) => c.retention.policy(), takesNoIds: true },
  "retention.preview": {
    role: "admin",
    call: (c) => c.retention.preview({ runDays: 30, deliverableDays: 7 }),
    takesNoIds: true,
  },
  "retention.update": {
    role: "admin",
    call: (c) => c.retention.update({ runDays: 30, deliverableDays: 7 }),
    takesNoIds: true,
  },
  "budgets.estimate": {
    role: "viewer",
    call: (c, ids) => c.budgets.estimate({ skillId: ids.skillId, agentId: ids.agentId }),
    withAgent: (c, own, agentId) => c.budgets.estimate({ skillId: own.skillId, agentId }),
  },
  "webhooks.list": {
    role: "viewer",
    call: (c) => c.webhooks.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.webhookId),
  },
  "webhooks.get": {
    role: "viewer",
    call: (c, ids) => c.webhooks.get({ webhookId: ids.webhookId }),
  },
  "webhooks.deliveries": {
    role: "viewer",
    call: (c, ids) => c.webhooks.deliveries({ webhookId: ids.webhookId }),
  },
  "webhooks.deliveryPayload": {
    role: "viewer",
    call: (c, ids) => c.webhooks.deliveryPayload({ deliveryId: ids.deliveryId }),
  },
  "webhooks.create": {
    role: "admin",
    call: (c, ids) => c.webhooks.create(webhookInput(ids)),
    withAgent: (c, own, agentId) => c.webhooks.create(webhookInput(ownWithAgent(own, agentId))),
  },
  "webhooks.update": {
    role: "admin",
    call: (c, ids) => c.webhooks.update({ webhookId: ids.webhookId, webhook: webhookInput(ids) }),
    withAgent: (c, own, agentId) =>
      c.webhooks.update({
        webhookId: own.webhookId,
        webhook: webhookInput(ownWithAgent(own, agentId)),
      }),
  },
  "webhooks.setEnabled": {
    role: "admin",
    call: (c, ids) => c.webhooks.setEnabled({ webhookId: ids.webhookId, enabled: false }),
  },
  "webhooks.rotateSecret": {
    role: "admin",
    call: (c, ids) => c.webhooks.rotateSecret({ webhookId: ids.webhookId, graceHours: 1 }),
  },
  "webhooks.delete": {
    role: "admin",
    call: (c, ids) => c.webhooks.delete({ webhookId: ids.webhookId }),
  },
  "webhooks.replay": {
    role: "operator",
    call: (c, ids) => c.webhooks.replay({ deliveryId: ids.deliveryId }),
  },
  "knowledgeBases.list": {
    role: "viewer",
    call: (c) => c.knowledgeBases.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.knowledgeBaseId),
  },
  "knowledgeBases.get": {
    role: "viewer",
    call: (c, ids) => c.knowledgeBases.get({ knowledgeBaseId: ids.knowledgeBaseId }),
  },
  "knowledgeBases.search": {
    role: "viewer",
    call: (c, ids) =>
      c.knowledgeBases.search({ knowledgeBaseId: ids.knowledgeBaseId, query: "handbook" }),
  },
  "knowledgeBases.create": {
    role: "admin",
    call: (c) =>
      c.knowledgeBases.create({ name: `Probe ${randomUUID().slice(0, 8)}`, description: "" }),
    takesNoIds: true,
  },
  "knowledgeBases.update": {
    role: "admin",
    call: (c, ids) =>
      c.knowledgeBases.update({
        knowledgeBaseId: ids.knowledgeBaseId,
        knowledgeBase: { name: "Probe", description: "" },
      }),
  },
  "knowledgeBases.delete": {
    role: "admin",
    call: (c, ids) => c.knowledgeBases.delete({ knowledgeBaseId: ids.knowledgeBaseId }),
  },
  "knowledgeBases.upload": {
    role: "admin",
    call: (c, ids) => c.knowledgeBases.upload(probeUpload(ids.knowledgeBaseId)),
  },
  "knowledgeBases.deleteDocument": {
    role: "admin",
    call: (c, ids) => c.knowledgeBases.deleteDocument({ documentId: ids.kbDocumentId }),
  },
  "mcpServers.list": {
    role: "viewer",
    call: (c) => c.mcpServers.list(),
    list: (result, theirs) => !JSON.stringify(result).includes(theirs.mcpServerId),
  },
  "mcpServers.get": {
    role: "viewer",
    call: (c, ids) => c.mcpServers.get({ mcpServerId: ids.mcpServerId }),
  },
  "mcpServers.create": {
    role: "admin",
    call: (c) =>
      c.mcpServers.create({ ...mcpServerInput, name: `Probe ${randomUUID().slice(0, 8)}` }),
    takesNoIds: true,
  },
  "mcpServers.update": {
    role: "admin",
    call: (c, ids) =>
      c.mcpServers.update({
        mcpServerId: ids.mcpServerId,
        server: mcpServerInput,
        token: { action: "remove" },
      }),
  },
  "mcpServers.setEnabled": {
    role: "admin",
    call: (c, ids) => c.mcpServers.setEnabled({ mcpServerId: ids.mcpServerId, enabled: false }),
  },
  "mcpServers.delete": {
    role: "admin",
    call: (c, ids) => c.mcpServers.delete({ mcpServerId: ids.mcpServerId }),
  },
  "mcpServers.testConnection": {
    role: "admin",
    call: (c, ids) => c.mcpServers.testConnection({ mcpServerId: ids.mcpServerId }),
  },
  "templates.list": {
    role: "viewer",
    call: (c) => c.templates.list(),
    list: (result, theirs) =>
      ![theirs.templateId, theirs.guardrailId, theirs.agentId].some((id) =>
        JSON.stringify(result).includes(id),
      ),
  },
  "templates.get": {
    role: "viewer",
    call: (c, ids) => c.templates.get({ templateId: ids.templateId }),
  },
  "models.choices": { role: "viewer", call: (c) => c.models.choices(), takesNoIds: true },
  "templates.limits": { role: "viewer", call: (c) => c.templates.limits(), takesNoIds: true },
  "templates.create": { role: "admin", call: (c, ids) => c.templates.create(templateInput(ids)) },
  "templates.update": {
    role: "admin",
    call: (c, ids) =>
      c.templates.update({ templateId: ids.templateId, template: templateInput(ids) }),
  },
  "templates.duplicate": {
    role: "admin",
    call: (c, ids) => c.templates.duplicate({ templateId: ids.templateId }),
  },
  "templates.delete": {
    role: "admin",
    call: (c, ids) => c.templates.delete({ templateId: ids.templateId }),
  },
  "guardrails.list": {
    role: "viewer",
    call: (c) => c.guardrails.list(),
    list: (result, theirs) =>
      ![theirs.guardrailId, theirs.templateId].some((id) => JSON.stringify(result).includes(id)),
  },
  "guardrails.get": {
    role: "viewer",
    call: (c, ids) => c.guardrails.get({ guardrailId: ids.guardrailId }),
  },
  "guardrails.test": {
    role: "viewer",
    call: (c) => c.guardrails.test({ rules: guardrailInput, text: "a probe" }),
    takesNoIds: true,
  },
  "guardrails.create": {
    role: "admin",
    call: (c) => c.guardrails.create(guardrailInput),
    takesNoIds: true,
  },
  "guardrails.update": {
    role: "admin",
    call: (c, ids) =>
      c.guardrails.update({ guardrailId: ids.guardrailId, guardrail: guardrailInput }),
  },
  "guardrails.duplicate": {
    role: "admin",
    call: (c, ids) => c.guardrails.duplicate({ guardrailId: ids.guardrailId }),
  },
  "guardrails.delete": {
    role: "admin",
    call: (c, ids) => c.guardrails.delete({ guardrailId: ids.guardrailId }),
  },
};

async function outcome(promise: Promise<unknown>, idsToMask: string[] = []) {
  try {
    return { ok: true as const, value: await promise };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    let message = error.message;
    for (const id of idsToMask) message = message.replaceAll(id, "<id>");
    const fieldErrors = (error.cause as { fieldErrors?: Record<string, string[]> } | undefined)
      ?.fieldErrors;
    return { ok: false as const, code: error.code, message, fieldErrors };
  }
}

/** The call's outcome; a refused call must have left every table as it was. */
async function attempt(call: () => Promise<unknown>, idsToMask: string[] = []) {
  const before = await fingerprintTables(db);
  const result = await outcome(call(), idsToMask);
  if (!result.ok)
    expect(await fingerprintTables(db), "a refused request changed the database").toEqual(before);
  return result;
}

let mine: Ids;
let theirs: Ids;
let unknown: Ids;
const callers = {} as Record<MemberRole, Caller>;
let anonymous: Caller;
/** Sessions whose active tenant is the caller's tenant, held by users who are not (or no longer) members of it. */
let staleSessions: { outsider: Caller; removed: Caller };
/** Owner of the caller's tenant and of a third one, in a tab rendered for the caller's tenant, after switching to the third in another tab. */
let switchedAway: Caller;
let switchedAwayMessage: string;

/** A run, schedule, API key, webhook with a delivery, invitation and guardrail (used by its template) of the tenant, made by its owner. */
async function populate(
  setup: Awaited<ReturnType<typeof createTenantWithSkill>>,
  ownerCaller: Caller,
  ownerId: string,
): Promise<Ids> {
  const { tenant, skill, agent, template } = setup;
  const { runId } = await ownerCaller.runs.start({ skillSlug: skill.slug, inputs: {} });
  const [schedule] = await db
    .insert(schedules)
    .values({
      tenantId: tenant.id,
      name: "Existing",
      skillId: skill.id,
      agentId: agent.id,
      cron: "0 9 * * *",
      timezone: "UTC",
    })
    .returning();
  const key = await ownerCaller.apiKeys.create({ name: "Existing", role: "operator" });
  const webhook = await ownerCaller.webhooks.create({
    name: "Existing",
    skillId: skill.id,
    agentId: null,
    inputMapping: {},
    rateLimitPerMinute: 60,
    enabled: true,
  });
  const [delivery] = await db
    .insert(webhookDeliveries)
    .values({
      tenantId: tenant.id,
      webhookId: webhook.id,
      verdict: "accepted",
      httpStatus: 202,
      payload: { probe: true },
    })
    .returning({ id: webhookDeliveries.id });
  const [runDelivery] = await db
    .insert(runDeliveries)
    .values({
      tenantId: tenant.id,
      runId,
      targetKind: "callback",
      target: "example.com",
      status: "failed",
      attempts: 5,
      error: "The webhook at example.com answered HTTP 503.",
    })
    .returning({ id: runDeliveries.id });
  const [membership] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.userId, ownerId), eq(memberships.organizationId, tenant.id)));
  const mcpServer = await ownerCaller.mcpServers.create({
    name: "Existing",
    url: "http://127.0.0.1:9/mcp",
    authToken: "existing-token",
  });
  const alertChannel = await ownerCaller.alerts.createChannel({
    channel: { kind: "webhook", name: "Existing", config: { url: "http://127.0.0.1:9/hook" } },
  });
  const alertRule = await ownerCaller.alerts.createRule({
    rule: alertRuleInput({ alertChannelId: alertChannel.id, skillId: skill.id }, "Existing"),
  });
  const invitation = await ownerCaller.members.invite({
    email: `existing-${randomUUID().slice(0, 8)}@example.test`,
    role: "viewer",
  });
  const knowledgeBase = await ownerCaller.knowledgeBases.create({
    name: "Handbook",
    description: "",
  });
  const uploaded = await ownerCaller.knowledgeBases.upload(
    uploadDocumentsForm(knowledgeBase.id, [
      new File(["# Handbook\n\nThe handbook says hello."], "handbook.md"),
    ]),
  );
  const guardrail = await ownerCaller.guardrails.create({
    name: "Existing",
    description: "",
    deniedTerms: [],
    deniedPatterns: [],
    pii: "off",
    maxDeliverableChars: null,
    isTenantDefault: false,
  });
  await db
    .update(agentTemplates)
    .set({ guardrailId: guardrail.id })
    .where(eq(agentTemplates.id, template.id));
  const savedView = await ownerCaller.savedViews.create({
    name: "Existing",
    query: "status=failed",
    shared: true,
  });
  // Written directly: started through the router, the engine would be asked to process it.
  const [bulkOperation] = await db
    .insert(bulkOperations)
    .values({
      tenantId: tenant.id,
      kind: "cancel",
      filters: { skillId: skill.id },
      idempotencyKey: "existing",
      status: "running",
      total: 1,
      frozenAt: new Date(),
    })
    .returning({ id: bulkOperations.id });
  return {
    tenantId: tenant.id,
    runId,
    scheduleId: schedule!.id,
    agentId: agent.id,
    skillId: skill.id,
    skillSlug: skill.slug,
    apiKeyId: key.id,
    memberId: membership!.id,
    webhookId: webhook.id,
    deliveryId: delivery!.id,
    runDeliveryId: runDelivery!.id,
    invitationId: invitation.id,
    knowledgeBaseId: knowledgeBase.id,
    kbDocumentId: uploaded.documents[0]!.id,
    mcpServerId: mcpServer.id,
    alertChannelId: alertChannel.id,
    alertRuleId: alertRule.id,
    templateId: template.id,
    guardrailId: guardrail.id,
    savedViewId: savedView.id,
    bulkOperationId: bulkOperation!.id,
    userId: ownerId,
  };
}

beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "isolation-test", isDev: true, baseUrl: engine.url });
  const ours = await createTenantWithSkill(db);
  const other = await createTenantWithSkill(db);
  const theirOwner = await createUser(db, [{ tenantId: other.tenant.id, role: "owner" }]);
  theirs = await populate(
    other,
    await callerFor(db, auth, await signIn(auth, theirOwner.email), dispatcher),
    theirOwner.id,
  );
  unknown = {
    tenantId: randomUUID(),
    runId: randomUUID(),
    scheduleId: randomUUID(),
    agentId: randomUUID(),
    skillId: randomUUID(),
    skillSlug: `no-such-skill-${randomUUID().slice(0, 8)}`,
    apiKeyId: randomUUID(),
    memberId: randomUUID(),
    webhookId: randomUUID(),
    deliveryId: randomUUID(),
    runDeliveryId: randomUUID(),
    invitationId: randomUUID(),
    knowledgeBaseId: randomUUID(),
    kbDocumentId: randomUUID(),
    mcpServerId: randomUUID(),
    alertChannelId: randomUUID(),
    alertRuleId: randomUUID(),
    templateId: randomUUID(),
    guardrailId: randomUUID(),
    savedViewId: randomUUID(),
    bulkOperationId: randomUUID(),
    userId: randomUUID(),
  };
  const userIds = {} as Record<MemberRole, string>;
  for (const role of MEMBER_ROLES) {
    const user = await createUser(db, [{ tenantId: ours.tenant.id, role }]);
    userIds[role] = user.id;
    callers[role] = await callerFor(db, auth, await signIn(auth, user.email), dispatcher);
  }
  mine = await populate(ours, callers.owner, userIds.owner);
  anonymous = await callerFor(db, auth, new Headers(), dispatcher);

  // A member of another tenant whose session points at ours (the membership condition must be on the tenant, not only the user).
  const third = await createTenant(db, "Third");
  const outsider = await createUser(db, [{ tenantId: third.id, role: "owner" }]);
  const outsiderSession = await signIn(auth, outsider.email);
  await db
    .update(sessions)
    .set({ activeOrganizationId: ours.tenant.id })
    .where(eq(sessions.userId, outsider.id));
  // An owner of ours whose membership went away while the session stayed on ours.
  const removed = await createUser(db, [{ tenantId: ours.tenant.id, role: "owner" }]);
  const removedSession = await signIn(auth, removed.email);
  await db.delete(memberships).where(eq(memberships.userId, removed.id));
  staleSessions = {
    outsider: await callerFor(db, auth, outsiderSession, dispatcher),
    removed: await callerFor(db, auth, removedSession, dispatcher),
  };

  const elsewhere = await createTenant(db, "Elsewhere");
  const switcher = await createUser(db, [
    { tenantId: ours.tenant.id, role: "owner" },
    { tenantId: elsewhere.id, role: "owner" },
  ]);
  const switcherSession = await signIn(auth, switcher.email);
  expect((await (await callerFor(db, auth, switcherSession)).viewer.get()).activeTenant?.id).toBe(
    ours.tenant.id,
  );
  await auth.api.setActiveOrganization({
    headers: switcherSession,
    body: { organizationId: elsewhere.id },
  });
  // A caller reads the session once, so this one is made after the switch; its header is the tab's.
  switchedAway = await callerFor(
    db,
    auth,
    new Headers([...switcherSession, [TENANT_HEADER, ours.tenant.id]]),
    dispatcher,
  );
  switchedAwayMessage = `This tab shows ${ours.tenant.name}; you switched to ${elsewhere.name} in another tab. Reload the page to continue in ${elsewhere.name}.`;
});
afterAll(async () => {
  await engine.close();
});

describe("tenant isolation, for every procedure", () => {
  it("has an entry for every procedure of the router, and no stale ones", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(procedures);
  });

  for (const [path, entry] of Object.entries(MATRIX)) {
    describe(path, () => {
      it("refuses a request without a session", async () => {
        expect(await attempt(() => entry.call(anonymous, unknown))).toMatchObject({
          ok: false,
          code: "UNAUTHORIZED",
        });
      });

      if (entry.role !== "signed-in" && entry.role !== "viewer") {
        const needed = entry.role;
        it(`refuses every role below ${needed}`, async () => {
          for (const role of MEMBER_ROLES.filter((candidate) => !roleAtLeast(candidate, needed))) {
            expect({
              role,
              ...(await attempt(() => entry.call(callers[role], theirs))),
            }).toMatchObject({ role, ok: false, code: "FORBIDDEN" });
          }
        });
      }

      if (entry.role !== "signed-in") {
        it("refuses a session whose active tenant the user is not, or no longer, a member of", async () => {
          for (const [who, caller] of Object.entries(staleSessions)) {
            expect({ who, ...(await attempt(() => entry.call(caller, mine))) }).toMatchObject({
              who,
              ok: false,
              code: "FORBIDDEN",
              message: "You are not a member of this tenant.",
            });
          }
        });

        it("refuses a request for the tab's tenant after the session switched to another in another tab", async () => {
          expect(await attempt(() => entry.call(switchedAway, mine))).toEqual({
            ok: false,
            code: "PRECONDITION_FAILED",
            message: switchedAwayMessage,
            fieldErrors: undefined,
          });
        });
      }

      if (!entry.takesNoIds)
        it("answers another tenant's ids exactly like ids that do not exist", async () => {
          const caller = callers.owner;
          if (entry.list) {
            const result = await outcome(entry.call(caller, theirs));
            expect(result.ok).toBe(true);
            expect(entry.list(result.ok ? result.value : null, theirs)).toBe(true);
            return;
          }
          const foreign = await attempt(() => entry.call(caller, theirs), Object.values(theirs));
          const missing = await attempt(() => entry.call(caller, unknown), Object.values(unknown));
          expect(foreign.ok).toBe(false);
          expect(foreign).toEqual(missing);
        });

      const { withAgent } = entry;
      if (withAgent)
        it("answers another tenant's agent exactly like an agent that does not exist", async () => {
          const caller = callers.owner;
          const foreign = await attempt(
            () => withAgent(caller, mine, theirs.agentId),
            [theirs.agentId],
          );
          const missing = await attempt(
            () => withAgent(caller, mine, unknown.agentId),
            [unknown.agentId],
          );
          expect(foreign.ok).toBe(false);
          expect(foreign).toEqual(missing);
        });
    });
  }
});
