import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, runApprovals, skillRuns, skills } from "@/server/db/schema";
import { claimNotice, fireRule, rulesOutOfCooldown, type DeliveryRef } from "./fire";
import { notYetNoticed } from "./triggers";

/** At most this many waiting runs are named in one message; the count says the rest. */
const NAMED_WAITS = 5;

/** A rule's pending requests past its minutes (within a day of that), not yet judged for it. */
function unnoticedWaits(
  db: Database,
  ruleId: string,
  tenantId: string,
  filters: { skillId?: string; agentId?: string; waitMinutes: number },
) {
  const { skillId, agentId, waitMinutes } = filters;
  const waitedSince = sql`now() - make_interval(mins => ${waitMinutes})`;
  const noticeKey = sql`${`approval-wait:${ruleId}:`} || ${runApprovals.id}::text`;
  return db
    .select({
      approvalId: runApprovals.id,
      runId: runApprovals.runId,
      requestedAt: runApprovals.requestedAt,
      kind: runApprovals.kind,
      skill: skills.name,
      agent: agents.name,
    })
    .from(runApprovals)
    .innerJoin(
      skillRuns,
      and(eq(skillRuns.id, runApprovals.runId), eq(skillRuns.tenantId, tenantId)),
    )
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, and(eq(agents.id, skillRuns.agentId), eq(agents.tenantId, tenantId)))
    .where(
      and(
        eq(runApprovals.tenantId, tenantId),
        eq(runApprovals.state, "pending"),
        eq(skillRuns.status, "awaiting_approval"),
        sql`${runApprovals.requestedAt} <= ${waitedSince}`,
        sql`${runApprovals.requestedAt} > ${waitedSince} - interval '1 day'`,
        skillId ? eq(skillRuns.skillId, skillId) : undefined,
        agentId ? eq(skillRuns.agentId, agentId) : undefined,
        notYetNoticed(noticeKey),
      ),
    )
    .orderBy(runApprovals.requestedAt)
    .limit(500);
}

type Wait = Awaited<ReturnType<typeof unnoticedWaits>>[number];

/** The subject and text naming the first few waiting runs; the count says the rest. */
function waitMessage(ruleName: string, waitMinutes: number, claimed: Wait[]) {
  const named = claimed.slice(0, NAMED_WAITS).map((wait) => {
    const what = wait.kind === "deliverable" ? "its deliverable" : "a tool call";
    return `- ${wait.skill} (agent ${wait.agent ?? "removed"}), run ${wait.runId}: ${what}, waiting since ${wait.requestedAt.toISOString()}`;
  });
  const more = claimed.length - named.length;
  const some = claimed.length === 1 ? "a run has" : `${claimed.length} runs have`;
  return {
    subject: `[Skillrun] ${ruleName}: ${some} waited for approval more than ${waitMinutes} min`,
    text: [
      `${some.charAt(0).toUpperCase()}${some.slice(1)} waited for a decision more than ${waitMinutes} minutes:`,
      ...named,
      ...(more > 0 ? [`and ${more} more.`] : []),
      "Approve or reject them on the Approvals page; past its timeout a run fails.",
    ].join("\n"),
  };
}

/**
 * "A run has waited for approval more than N minutes": for each enabled rule, the tenant's
 * pending requests (of its skill and agent, when the rule names them) older than its N minutes.
 * Each request is a fact for each rule (`approval-wait:<rule>:<request>`), claimed once, so it is
 * judged once however long it keeps waiting; the requests a round claims go out as one message.
 * A rule cooling down is not judged at all, so a request that crossed its N minutes meanwhile is
 * told in the first round after the cooldown (one message per cooldown, as for every rule). A
 * request past its N minutes for more than a day is not judged any more (its notice is pruned
 * after two days: it would fire again).
 */
export async function scanApprovalWaits(db: Database): Promise<DeliveryRef[]> {
  // Cooling down, a rule claims nothing: what starts waiting meanwhile is told after it.
  const rules = await rulesOutOfCooldown(db, "approval_waiting");
  const deliveries: DeliveryRef[] = [];
  for (const rule of rules) {
    const { skillId, agentId, waitMinutes = 60 } = rule.filters;
    const waiting = await unnoticedWaits(db, rule.id, rule.tenantId, {
      skillId,
      agentId,
      waitMinutes,
    });
    const claimed: typeof waiting = [];
    for (const wait of waiting)
      if (await claimNotice(db, rule.tenantId, `approval-wait:${rule.id}:${wait.approvalId}`))
        claimed.push(wait);
    if (claimed.length === 0) continue;
    deliveries.push(
      ...(await fireRule(db, rule, {
        ...waitMessage(rule.name, waitMinutes, claimed),
        facts: {
          rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
          waitMinutes,
          waiting: claimed.map((wait) => ({
            runId: wait.runId,
            approvalId: wait.approvalId,
            kind: wait.kind,
            requestedAt: wait.requestedAt.toISOString(),
          })),
        },
      })),
    );
  }
  return deliveries;
}
