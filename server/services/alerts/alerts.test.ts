import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "@/e2e/fixtures/smtp-sink";
import type { FailureCode } from "@/lib/enums";
import { alertRuleInput, type AlertRuleInput } from "@/lib/schemas/alerts";
import { ZERO_USAGE } from "@/server/agent/usage";
import {
  alertDeliveries,
  alertRules,
  auditLog,
  budgetThresholdCrossings,
  runApprovals,
  skillRuns,
  skills,
} from "@/server/db/schema";
import { pauseForApproval } from "@/server/services/runs/approvals";
import { createChannel } from "@/server/services/notify/channels";
import {
  createTenant,
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
} from "@/test/fixtures";
import { attemptDelivery, listAlertHistory } from "./deliveries";
import { noticeRunFailure, scanRunFailures } from "./run-failures";
import { createAlertRule } from "./rules";
import { sendRuleTest } from "./test-send";
import { scanApprovalWaits } from "./approval-waits";
import { evaluateFailureRates, scanBudgetCrossings } from "./triggers";

const { db } = openTestDatabase();
const audit = { actor: { type: "user" as const, id: null }, origin: null };
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

async function emailChannel(tenantId: string, port = smtp.port) {
  const { id } = await createChannel(
    db,
    { tenantId, audit },
    {
      channel: {
        kind: "email",
        name: `Mail ${randomUUID().slice(0, 6)}`,
        config: {
          recipients: [`ops-${tenantId}@example.com`],
          smtpHost: "127.0.0.1",
          smtpPort: port,
          smtpSecurity: "none",
          from: "skillrun@example.com",
        },
      },
    },
  );
  return id;
}

const rule = (overrides: Partial<AlertRuleInput> & { channelIds: string[] }): AlertRuleInput => ({
  name: `Rule ${randomUUID().slice(0, 6)}`,
  trigger: "run_failed",
  filters: {},
  cooldownMinutes: 60,
  enabled: true,
  ...overrides,
});

async function failedRun(
  tenantId: string,
  skillId: string,
  agentId: string,
  failureCode: FailureCode = "model_error",
) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId,
      skillId,
      skillVersion: "v1",
      agentId,
      source: "manual",
      inputs: {},
      status: "failed",
      failureCode,
      failureReason: "The model answered 500.",
      finishedAt: new Date(),
    })
    .returning({ id: skillRuns.id });
  if (!run) throw new Error("no run");
  return { runId: run.id, tenantId };
}

const mailsTo = (tenantId: string) =>
  smtp.received.filter((mail) => mail.to.includes(`ops-${tenantId}@example.com`));

describe("a run-failed rule", () => {
  it("sends one email for three failures judged at once inside its cooldown, and again after it", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    const { id: ruleId } = await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({ name: "Skill X fails", filters: { skillId: skill.id }, channelIds: [channelId] }),
    );
    const failures = await Promise.all(
      [1, 2, 3].map(() => failedRun(tenant.id, skill.id, agent.id)),
    );
    const queued = (await Promise.all(failures.map((ref) => noticeRunFailure(db, ref)))).flat();
    expect(queued).toHaveLength(1);
    for (const ref of queued) await attemptDelivery(db, ref, false);
    expect(mailsTo(tenant.id)).toHaveLength(1);
    expect(mailsTo(tenant.id)[0]?.subject).toContain(
      "Skill X fails: a run of Skill failed (model_error)",
    );

    // Judged once: a second look at the same failures queues nothing.
    expect((await Promise.all(failures.map((ref) => noticeRunFailure(db, ref)))).flat()).toEqual(
      [],
    );

    await db
      .update(alertRules)
      .set({ lastFiredAt: sql`now() - interval '61 minutes'` })
      .where(eq(alertRules.id, ruleId));
    const later = await noticeRunFailure(db, await failedRun(tenant.id, skill.id, agent.id));
    expect(later).toHaveLength(1);

    const history = await listAlertHistory(db, tenant.id, { limit: 50 });
    expect(history.map((row) => [row.ruleName, row.status, row.attempts])).toEqual([
      ["Skill X fails", "pending", 0],
      ["Skill X fails", "sent", 1],
    ]);
  });

  it("matches only its skill, agent and failure codes", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const { id: _id, ...copy } = skill;
    const [otherSkill] = await db
      .insert(skills)
      .values({ ...copy, slug: `other-${randomUUID().slice(0, 8)}`, name: "Other" })
      .returning();
    const channelId = await emailChannel(tenant.id);
    await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({ filters: { skillId: skill.id, failureCodes: ["timeout"] }, channelIds: [channelId] }),
    );
    expect(
      await noticeRunFailure(db, await failedRun(tenant.id, otherSkill!.id, agent.id, "timeout")),
    ).toEqual([]);
    expect(
      await noticeRunFailure(db, await failedRun(tenant.id, skill.id, agent.id, "model_error")),
    ).toEqual([]);
    expect(
      await noticeRunFailure(db, await failedRun(tenant.id, skill.id, agent.id, "timeout")),
    ).toHaveLength(1);
  });

  it("is found by the scan, which judges each failure once and ignores tenants without rules", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const quiet = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    await createAlertRule(db, { tenantId: tenant.id, audit }, rule({ channelIds: [channelId] }));
    const run = await failedRun(tenant.id, skill.id, agent.id);
    await failedRun(quiet.tenant.id, quiet.skill.id, quiet.agent.id);
    const first = await scanRunFailures(db);
    expect(first.filter((ref) => ref.tenantId === tenant.id)).toHaveLength(1);
    expect(first.filter((ref) => ref.tenantId === quiet.tenant.id)).toEqual([]);
    expect((await scanRunFailures(db)).filter((ref) => ref.tenantId === tenant.id)).toEqual([]);
    expect(run.runId).toBeTruthy();
  });
});

describe("delivery attempts", () => {
  it("records each failed attempt, throws while retries remain, and marks the last one failed", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const closed = await startSmtpSink();
    const deadPort = closed.port;
    await closed.close();
    const channelId = await emailChannel(tenant.id, deadPort);
    await createAlertRule(db, { tenantId: tenant.id, audit }, rule({ channelIds: [channelId] }));
    const [ref] = await noticeRunFailure(db, await failedRun(tenant.id, skill.id, agent.id));
    if (!ref) throw new Error("no delivery");
    await expect(attemptDelivery(db, ref, false)).rejects.toThrow(/did not take the message/);
    expect(await attemptDelivery(db, ref, true)).toEqual({ status: "failed" });
    const [row] = await db
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.id, ref.deliveryId));
    expect(row).toMatchObject({ status: "failed", attempts: 2 });
    expect(row?.error).toMatch(/did not take the message/);
    // A retry after the end changes nothing.
    expect(await attemptDelivery(db, ref, true)).toEqual({ status: "skipped" });
  });

  it("claims before sending: a fresh claim is left to its holder, a stale one is taken over", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    await createAlertRule(db, { tenantId: tenant.id, audit }, rule({ channelIds: [channelId] }));
    const [ref] = await noticeRunFailure(db, await failedRun(tenant.id, skill.id, agent.id));
    if (!ref) throw new Error("no delivery");
    const claimAt = (at: ReturnType<typeof sql>) =>
      db
        .update(alertDeliveries)
        .set({ claimedAt: at })
        .where(eq(alertDeliveries.id, ref.deliveryId));
    await claimAt(sql`now()`);
    await expect(attemptDelivery(db, ref, false)).rejects.toThrow(/Another attempt/);
    expect(await attemptDelivery(db, ref, true)).toEqual({ status: "skipped" });
    expect(mailsTo(tenant.id)).toEqual([]);
    await claimAt(sql`now() - interval '2 minutes'`);
    const outcomes = await Promise.all([
      attemptDelivery(db, ref, true),
      attemptDelivery(db, ref, true),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["sent", "skipped"]);
    expect(mailsTo(tenant.id)).toHaveLength(1);
    const [row] = await db
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.id, ref.deliveryId));
    expect(row).toMatchObject({ status: "sent", attempts: 1, claimedAt: null });
  });

  it("sends a rule's test to each channel, recorded in the history, without touching its cooldown", async () => {
    const tenant = await createTenant(db);
    const channelId = await emailChannel(tenant.id);
    const { id } = await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({ name: "T", channelIds: [channelId] }),
    );
    const outcomes = await sendRuleTest(db, tenant.id, id);
    expect(outcomes).toEqual([expect.objectContaining({ status: "sent", error: null })]);
    expect(mailsTo(tenant.id).at(-1)?.subject).toContain('Test alert for "T"');
    const [stored] = await db.select().from(alertRules).where(eq(alertRules.id, id));
    expect(stored?.lastFiredAt).toBeNull();
    expect((await listAlertHistory(db, tenant.id, { limit: 5 }))[0]).toMatchObject({
      isTest: true,
      status: "sent",
    });
  });
});

describe("rule validation", () => {
  it("refuses another tenant's channel or skill as if unknown and writes nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const foreignChannel = await emailChannel(other.tenant.id);
    const before = await fingerprintTables(db);
    await expect(
      createAlertRule(db, { tenantId: tenant.id, audit }, rule({ channelIds: [foreignChannel] })),
    ).rejects.toThrow("Channels names a channel that does not exist");
    const ownChannel = await emailChannel(tenant.id);
    const afterChannel = await fingerprintTables(db);
    await expect(
      createAlertRule(
        db,
        { tenantId: tenant.id, audit },
        rule({ filters: { skillId: other.skill.id }, channelIds: [ownChannel] }),
      ),
    ).rejects.toThrow("Skill does not exist");
    expect(await fingerprintTables(db)).toEqual(afterChannel);
    expect(before).not.toEqual(afterChannel);
  });

  it("audits a rule's creation with its settings", async () => {
    const tenant = await createTenant(db);
    const channelId = await emailChannel(tenant.id);
    const { id } = await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({ name: "Audited", channelIds: [channelId] }),
    );
    const entries = await db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(entries.map((entry) => entry.action)).toEqual(["alert_rule.create"]);
  });
});

describe("other triggers", () => {
  it("fires a failure-rate rule above its threshold only, once per cooldown", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({
        trigger: "failure_rate",
        filters: { thresholdPercent: 50, windowMinutes: 60, minRuns: 4 },
        channelIds: [channelId],
      }),
    );
    const complete = () =>
      db.insert(skillRuns).values({
        tenantId: tenant.id,
        skillId: skill.id,
        skillVersion: "v1",
        agentId: agent.id,
        source: "manual",
        inputs: {},
        status: "complete",
        finishedAt: new Date(),
      });
    await complete();
    await complete();
    await failedRun(tenant.id, skill.id, agent.id);
    await failedRun(tenant.id, skill.id, agent.id);
    const mine = async () =>
      (await evaluateFailureRates(db)).filter((ref) => ref.tenantId === tenant.id);
    expect(await mine()).toEqual([]); // 2 of 4 is 50 %, not above it
    await failedRun(tenant.id, skill.id, agent.id);
    expect(await mine()).toHaveLength(1); // 3 of 5
    expect(await mine()).toEqual([]); // cooling down
  });

  it("fires a budget rule once for each recorded threshold crossing", async () => {
    const tenant = await createTenant(db);
    const channelId = await emailChannel(tenant.id);
    await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({ trigger: "budget_threshold", cooldownMinutes: 1, channelIds: [channelId] }),
    );
    await db.insert(budgetThresholdCrossings).values({
      tenantId: tenant.id,
      month: "2026-12",
      threshold: "soft",
      limitUsd: "5.000000",
      spendUsd: "5.100000",
    });
    const queued = (await scanBudgetCrossings(db)).filter((ref) => ref.tenantId === tenant.id);
    expect(queued).toHaveLength(1);
    const [row] = await db
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.id, queued[0]!.deliveryId));
    expect(row?.body).toContain("past the soft limit of $5.00");
    expect((await scanBudgetCrossings(db)).filter((ref) => ref.tenantId === tenant.id)).toEqual([]);
  });
});

describe("an approval-waiting rule", () => {
  const backdate = (approvalId: string, minutesAgo: number) =>
    db
      .update(runApprovals)
      .set({ requestedAt: sql`now() - make_interval(mins => ${minutesAgo})` })
      .where(eq(runApprovals.id, approvalId));

  /** A run of the skill paused on its deliverable, its request made `minutesAgo` minutes ago. */
  async function waitingRun(
    tenantId: string,
    skillId: string,
    agentId: string,
    minutesAgo: number,
  ) {
    const [run] = await db
      .insert(skillRuns)
      .values({
        tenantId,
        skillId,
        skillVersion: "v1",
        agentId,
        source: "manual",
        inputs: {},
        status: "running",
      })
      .returning({ id: skillRuns.id });
    const ref = { runId: run!.id, tenantId };
    const approvalId = await pauseForApproval(
      db,
      ref,
      { kind: "deliverable", draft: "Dear customer, …", usage: ZERO_USAGE, stepsUsed: 1 },
      7 * 24 * 3600,
    );
    await backdate(approvalId!, minutesAgo);
    return { runId: ref.runId, approvalId: approvalId! };
  }

  const bodyOf = async (deliveryId: string) =>
    (await db.select().from(alertDeliveries).where(eq(alertDeliveries.id, deliveryId)))[0];

  it("fires once per request past its minutes, respecting the cooldown, and tells what waited meanwhile after it", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    const { id: ruleId } = await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({
        name: "Waiting too long",
        trigger: "approval_waiting",
        filters: { waitMinutes: 30 },
        cooldownMinutes: 60,
        channelIds: [channelId],
      }),
    );
    const mine = async () =>
      (await scanApprovalWaits(db)).filter((ref) => ref.tenantId === tenant.id);
    const setLastFired = (when: ReturnType<typeof sql>) =>
      db.update(alertRules).set({ lastFiredAt: when }).where(eq(alertRules.id, ruleId));

    const old = await waitingRun(tenant.id, skill.id, agent.id, 31);
    const recent = await waitingRun(tenant.id, skill.id, agent.id, 10);
    // Decided: no longer waiting, whatever its age.
    const decided = await waitingRun(tenant.id, skill.id, agent.id, 45);
    await db
      .update(runApprovals)
      .set({ state: "approved" })
      .where(eq(runApprovals.id, decided.approvalId));

    const [first, ...others] = await mine();
    expect(others).toEqual([]);
    const delivery = await bodyOf(first!.deliveryId);
    expect(delivery).toMatchObject({
      trigger: "approval_waiting",
      subject: "[Skillrun] Waiting too long: a run has waited for approval more than 30 min",
    });
    expect(delivery?.body).toContain(old.runId);
    expect(delivery?.body).not.toContain(recent.runId);
    expect(delivery?.body).not.toContain(decided.runId);
    expect(await mine()).toEqual([]);

    // The same request is told once, also after the cooldown.
    await setLastFired(sql`now() - interval '2 hours'`);
    expect(await mine()).toEqual([]);

    // Past its minutes while the rule cools down: nothing now, told once the cooldown ends.
    await setLastFired(sql`now()`);
    await backdate(recent.approvalId, 40);
    expect(await mine()).toEqual([]);
    await setLastFired(sql`now() - interval '2 hours'`);
    const [later, ...rest] = await mine();
    expect(rest).toEqual([]);
    const laterRow = await bodyOf(later!.deliveryId);
    expect(laterRow?.body).toContain(recent.runId);
    expect(laterRow?.body).not.toContain(old.runId);
  });

  it("names only its skill's runs, and requires its minutes", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    const channelId = await emailChannel(tenant.id);
    const { id: _id, ...copy } = skill;
    const [otherSkill] = await db
      .insert(skills)
      .values({ ...copy, slug: `other-${randomUUID().slice(0, 8)}`, name: "Other" })
      .returning();
    await createAlertRule(
      db,
      { tenantId: tenant.id, audit },
      rule({
        trigger: "approval_waiting",
        filters: { waitMinutes: 5, skillId: skill.id },
        channelIds: [channelId],
      }),
    );
    await waitingRun(tenant.id, otherSkill!.id, agent.id, 20);
    expect((await scanApprovalWaits(db)).filter((ref) => ref.tenantId === tenant.id)).toEqual([]);
    const ofSkill = await waitingRun(tenant.id, skill.id, agent.id, 20);
    const queued = (await scanApprovalWaits(db)).filter((ref) => ref.tenantId === tenant.id);
    expect(queued).toHaveLength(1);
    expect((await bodyOf(queued[0]!.deliveryId))?.body).toContain(ofSkill.runId);

    const missing = alertRuleInput.safeParse(
      rule({ trigger: "approval_waiting", filters: {}, channelIds: [channelId] }),
    );
    expect(missing.success).toBe(false);
    expect(missing.error?.issues).toEqual([
      expect.objectContaining({ path: ["filters", "waitMinutes"], message: "is required" }),
    ]);
  });
});
