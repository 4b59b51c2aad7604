/**
 * The tenant-isolation proof. Every tRPC procedure, found by walking the router, has an
 * entry here saying the role it needs and how to call it with another tenant's ids. For
 * each: no session → UNAUTHORIZED; a role below the one needed → FORBIDDEN; another tenant's
 * ids → exactly what an id that does not exist gets (a list: nothing of theirs). A procedure
 * added without an entry fails the first test.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { MEMBER_ROLES, type MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { memberships, schedules, webhookDeliveries } from "@/server/db/schema";
import { appRouter } from "@/server/trpc/root";
import { callerFor, createTenantWithSkill, createUser, openTestDatabase, signIn } from "@/test/fixtures";

const { db, auth } = openTestDatabase();
let engine: Engine;
let dispatcher: Inngest;

type Caller = Awaited<ReturnType<typeof callerFor>>;
/** The other tenant's ids, or ids that exist nowhere. */
type Ids = { runId: string; scheduleId: string; agentId: string; skillId: string; skillSlug: string; apiKeyId: string; memberId: string; webhookId: string; deliveryId: string; invitationId: string };
type Entry = {
  /** "signed-in": any session, no tenant needed. */
  role: MemberRole | "signed-in";
  call: (caller: Caller, ids: Ids) => Promise<unknown>;
  /** Lists: the result given the other tenant's ids must hold none of their rows. */
  list?: (result: unknown, theirs: Ids) => boolean;
  /** Takes no id of any tenant (it creates in the caller's own), so there is nothing foreign to try. */
  takesNoIds?: true;
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
});
const webhookInput = (ids: Ids) => ({ name: "Probe", skillId: ids.skillId, agentId: ids.agentId, inputMapping: {}, rateLimitPerMinute: 60, enabled: true });
const holdsNone = (result: unknown, theirs: Ids) => !JSON.stringify(result).includes(theirs.skillId) && !JSON.stringify(result).includes(theirs.runId);

const MATRIX: Record<string, Entry> = {
  "viewer.get": { role: "signed-in", call: (c) => c.viewer.get(), list: holdsNone },
  "skills.list": { role: "viewer", call: (c) => c.skills.list(), list: holdsNone },
  "skills.get": { role: "viewer", call: (c, ids) => c.skills.get({ slug: ids.skillSlug }) },
  "agents.list": { role: "viewer", call: (c) => c.agents.list(), list: (result, theirs) => !JSON.stringify(result).includes(theirs.agentId) },
  "agents.get": { role: "viewer", call: (c, ids) => c.agents.get({ agentId: ids.agentId }) },
  "agents.effectiveConfig": { role: "viewer", call: (c, ids) => c.agents.effectiveConfig({ agentId: ids.agentId }) },
  "runs.start": { role: "operator", call: (c, ids) => c.runs.start({ skillSlug: ids.skillSlug, inputs: {} }) },
  "runs.cancel": { role: "operator", call: (c, ids) => c.runs.cancel({ runId: ids.runId }) },
  "runs.rerun": { role: "operator", call: (c, ids) => c.runs.rerun({ runId: ids.runId }) },
  "runs.get": { role: "viewer", call: (c, ids) => c.runs.get({ runId: ids.runId }) },
  "runs.list": { role: "viewer", call: (c, ids) => c.runs.list({ skillId: ids.skillId }), list: holdsNone },
  "runs.events": { role: "viewer", call: (c, ids) => c.runs.events({ runId: ids.runId }) },
  "schedules.list": { role: "viewer", call: (c, ids) => c.schedules.list({ skillId: ids.skillId }), list: (result, theirs) => !JSON.stringify(result).includes(theirs.scheduleId) },
  "schedules.get": { role: "viewer", call: (c, ids) => c.schedules.get({ scheduleId: ids.scheduleId }) },
  "schedules.slots": { role: "viewer", call: (c, ids) => c.schedules.slots({ scheduleId: ids.scheduleId }) },
  "schedules.create": { role: "admin", call: (c, ids) => c.schedules.create(scheduleInput(ids)) },
  "schedules.update": { role: "admin", call: (c, ids) => c.schedules.update({ scheduleId: ids.scheduleId, schedule: scheduleInput(ids) }) },
  "schedules.setEnabled": { role: "admin", call: (c, ids) => c.schedules.setEnabled({ scheduleId: ids.scheduleId, enabled: false }) },
  "schedules.delete": { role: "admin", call: (c, ids) => c.schedules.delete({ scheduleId: ids.scheduleId }) },
  "schedules.runNow": { role: "operator", call: (c, ids) => c.schedules.runNow({ scheduleId: ids.scheduleId }) },
  "apiKeys.list": { role: "admin", call: (c) => c.apiKeys.list(), list: (result, theirs) => !JSON.stringify(result).includes(theirs.apiKeyId) },
  "apiKeys.create": { role: "admin", call: (c) => c.apiKeys.create({ name: "Probe", role: "viewer" }), takesNoIds: true },
  "apiKeys.revoke": { role: "admin", call: (c, ids) => c.apiKeys.revoke({ keyId: ids.apiKeyId }) },
  "members.list": { role: "admin", call: (c) => c.members.list(), list: (result, theirs) => !JSON.stringify(result).includes(theirs.memberId) },
  "members.invite": { role: "admin", call: (c) => c.members.invite({ email: `probe-${randomUUID().slice(0, 8)}@example.test`, role: "viewer" }), takesNoIds: true },
  "members.invitations": { role: "admin", call: (c) => c.members.invitations(), list: (result, theirs) => !JSON.stringify(result).includes(theirs.invitationId) },
  "members.revokeInvitation": { role: "admin", call: (c, ids) => c.members.revokeInvitation({ invitationId: ids.invitationId }) },
  "members.updateRole": { role: "admin", call: (c, ids) => c.members.updateRole({ memberId: ids.memberId, role: "viewer" }) },
  "members.remove": { role: "admin", call: (c, ids) => c.members.remove({ memberId: ids.memberId }) },
  "audit.list": { role: "admin", call: (c) => c.audit.list({}), list: (result, theirs) => ![theirs.runId, theirs.apiKeyId, theirs.memberId, theirs.invitationId].some((id) => JSON.stringify(result).includes(id)) },
  "webhooks.list": { role: "viewer", call: (c) => c.webhooks.list(), list: (result, theirs) => !JSON.stringify(result).includes(theirs.webhookId) },
  "webhooks.get": { role: "viewer", call: (c, ids) => c.webhooks.get({ webhookId: ids.webhookId }) },
  "webhooks.deliveries": { role: "viewer", call: (c, ids) => c.webhooks.deliveries({ webhookId: ids.webhookId }) },
  "webhooks.deliveryPayload": { role: "viewer", call: (c, ids) => c.webhooks.deliveryPayload({ deliveryId: ids.deliveryId }) },
  "webhooks.create": { role: "admin", call: (c, ids) => c.webhooks.create(webhookInput(ids)) },
  "webhooks.update": { role: "admin", call: (c, ids) => c.webhooks.update({ webhookId: ids.webhookId, webhook: webhookInput(ids) }) },
  "webhooks.setEnabled": { role: "admin", call: (c, ids) => c.webhooks.setEnabled({ webhookId: ids.webhookId, enabled: false }) },
  "webhooks.rotateSecret": { role: "admin", call: (c, ids) => c.webhooks.rotateSecret({ webhookId: ids.webhookId, graceHours: 1 }) },
  "webhooks.delete": { role: "admin", call: (c, ids) => c.webhooks.delete({ webhookId: ids.webhookId }) },
  "webhooks.replay": { role: "operator", call: (c, ids) => c.webhooks.replay({ deliveryId: ids.deliveryId }) },
};

async function outcome(promise: Promise<unknown>, idsToMask: string[] = []) {
  try {
    return { ok: true as const, value: await promise };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    let message = error.message;
    for (const id of idsToMask) message = message.replaceAll(id, "<id>");
    const fieldErrors = (error.cause as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors;
    return { ok: false as const, code: error.code, message, fieldErrors };
  }
}

let theirs: Ids;
let unknown: Ids;
const callers = {} as Record<MemberRole, Caller>;
let anonymous: Caller;

beforeAll(async () => {
  engine = await startEngine({ port: 0, databaseUrl: process.env.DATABASE_URL ?? "", log: () => {}, pollIntervalSeconds: 0 });
  dispatcher = new Inngest({ id: "isolation-test", isDev: true, baseUrl: engine.url });
  const mine = await createTenantWithSkill(db);
  const other = await createTenantWithSkill(db);
  const theirOwner = await createUser(db, [{ tenantId: other.tenant.id, role: "owner" }]);
  const theirCaller = await callerFor(db, auth, await signIn(auth, theirOwner.email), dispatcher);
  const { runId } = await theirCaller.runs.start({ skillSlug: other.skill.slug, inputs: {} });
  const [schedule] = await db
    .insert(schedules)
    .values({ tenantId: other.tenant.id, name: "Theirs", skillId: other.skill.id, agentId: other.agent.id, cron: "0 9 * * *", timezone: "UTC" })
    .returning();
  const theirKey = await theirCaller.apiKeys.create({ name: "Theirs", role: "operator" });
  const theirWebhook = await theirCaller.webhooks.create({ name: "Theirs", skillId: other.skill.id, agentId: null, inputMapping: {}, rateLimitPerMinute: 60, enabled: true });
  const [theirDelivery] = await db
    .insert(webhookDeliveries)
    .values({ tenantId: other.tenant.id, webhookId: theirWebhook.id, verdict: "accepted", httpStatus: 202, payload: { probe: true } })
    .returning({ id: webhookDeliveries.id });
  const [theirMembership] = await db.select({ id: memberships.id }).from(memberships).where(eq(memberships.userId, theirOwner.id));
  const theirInvitation = await theirCaller.members.invite({ email: `theirs-${randomUUID().slice(0, 8)}@example.test`, role: "viewer" });
  theirs = { runId, scheduleId: schedule!.id, agentId: other.agent.id, skillId: other.skill.id, skillSlug: other.skill.slug, apiKeyId: theirKey.id, memberId: theirMembership!.id, webhookId: theirWebhook.id, deliveryId: theirDelivery!.id, invitationId: theirInvitation.id };
  unknown = { runId: randomUUID(), scheduleId: randomUUID(), agentId: randomUUID(), skillId: randomUUID(), skillSlug: `no-such-skill-${randomUUID().slice(0, 8)}`, apiKeyId: randomUUID(), memberId: randomUUID(), webhookId: randomUUID(), deliveryId: randomUUID(), invitationId: randomUUID() };
  for (const role of MEMBER_ROLES) {
    const user = await createUser(db, [{ tenantId: mine.tenant.id, role }]);
    callers[role] = await callerFor(db, auth, await signIn(auth, user.email), dispatcher);
  }
  anonymous = await callerFor(db, auth, new Headers(), dispatcher);
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
        expect(await outcome(entry.call(anonymous, unknown))).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
      });

      if (entry.role !== "signed-in" && entry.role !== "viewer") {
        const needed = entry.role;
        it(`refuses every role below ${needed}`, async () => {
          for (const role of MEMBER_ROLES.filter((candidate) => !roleAtLeast(candidate, needed))) {
            expect({ role, ...(await outcome(entry.call(callers[role], theirs))) }).toMatchObject({ role, ok: false, code: "FORBIDDEN" });
          }
        });
      }

      if (!entry.takesNoIds) it("answers another tenant's ids exactly like ids that do not exist", async () => {
        const caller = callers.owner;
        if (entry.list) {
          const result = await outcome(entry.call(caller, theirs));
          expect(result.ok).toBe(true);
          expect(entry.list(result.ok ? result.value : null, theirs)).toBe(true);
          return;
        }
        const foreign = await outcome(entry.call(caller, theirs), Object.values(theirs));
        const missing = await outcome(entry.call(caller, unknown), Object.values(unknown));
        expect(foreign.ok).toBe(false);
        expect(foreign).toEqual(missing);
      });
    });
  }
});
