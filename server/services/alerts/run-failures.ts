import "server-only";
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, alertNotices, alertRules, skillRuns, skills } from "@/server/db/schema";
import type { RunRef } from "@/inngest/events";
import { runLink } from "@/server/services/runs/run-link";
import { claimNotice, enabledRules, fireRule, type DeliveryRef } from "./fire";

/** How far back the scan looks for failures it has not judged (a scan missed by an outage is caught up). */
const LOOKBACK_MINUTES = 30;

/**
 * Judges one failed run once (claimed by its notice): every enabled "a run failed" rule whose
 * skill, agent and failure-code filters match it fires, cooldown permitting.
 */
export async function noticeRunFailure(db: Database, ref: RunRef): Promise<DeliveryRef[]> {
  const [run] = await db
    .select({
      id: skillRuns.id,
      skillId: skillRuns.skillId,
      skillName: skills.name,
      agentId: skillRuns.agentId,
      agentName: agents.name,
      failureCode: skillRuns.failureCode,
      failureReason: skillRuns.failureReason,
      source: skillRuns.source,
    })
    .from(skillRuns)
    .leftJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, eq(agents.id, skillRuns.agentId))
    .where(
      and(
        eq(skillRuns.id, ref.runId),
        eq(skillRuns.tenantId, ref.tenantId),
        eq(skillRuns.status, "failed"),
      ),
    );
  if (!run) return [];
  if (!(await claimNotice(db, ref.tenantId, `run:${run.id}`))) return [];
  const rules = (await enabledRules(db, ref.tenantId, "run_failed")).filter(
    ({ filters }) =>
      (!filters.skillId || filters.skillId === run.skillId) &&
      (!filters.agentId || filters.agentId === run.agentId) &&
      (!filters.failureCodes?.length ||
        (run.failureCode !== null && filters.failureCodes.includes(run.failureCode))),
  );
  const deliveries: DeliveryRef[] = [];
  const skill = run.skillName ?? "a skill";
  const link = runLink(run.id);
  for (const rule of rules) {
    deliveries.push(
      ...(await fireRule(db, rule, {
        subject: `[Skillrun] ${rule.name}: a run of ${skill} failed (${run.failureCode ?? "failed"})`,
        text: [
          `A run of ${skill}${run.agentName ? ` by ${run.agentName}` : ""} failed.`,
          `Failure: ${run.failureCode ?? "unknown"} — ${run.failureReason ?? "no reason recorded"}`,
          `Started by: ${run.source}`,
          link ? `Run: ${link}` : `Run id: ${run.id}`,
          `Further failures matching "${rule.name}" are not sent again until its cooldown has passed; the run history lists them all.`,
        ].join("\n"),
        facts: {
          rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
          run: {
            id: run.id,
            skillId: run.skillId,
            skillName: run.skillName,
            agentId: run.agentId,
            agentName: run.agentName,
            failureCode: run.failureCode,
            failureReason: run.failureReason,
            source: run.source,
            url: link,
          },
        },
      })),
    );
  }
  return deliveries;
}

/**
 * The scan's part for failed runs: the recent failures of tenants that have an enabled
 * "a run failed" rule and that no scan has judged yet, each judged once.
 */
export async function scanRunFailures(db: Database): Promise<DeliveryRef[]> {
  const watching = db
    .selectDistinct({ tenantId: alertRules.tenantId })
    .from(alertRules)
    .where(and(eq(alertRules.trigger, "run_failed"), eq(alertRules.enabled, true)));
  const since = sql`now() - make_interval(mins => ${LOOKBACK_MINUTES})`;
  const candidates = await db
    .select({ runId: skillRuns.id, tenantId: skillRuns.tenantId })
    .from(skillRuns)
    .where(
      and(
        inArray(skillRuns.tenantId, watching),
        eq(skillRuns.status, "failed"),
        // created_at bounds the index range (a run fails within a day of being created: the
        // reconciler's cutoffs); finished_at picks the new failures in it.
        gte(skillRuns.createdAt, sql`now() - interval '1 day'`),
        sql`coalesce(${skillRuns.finishedAt}, ${skillRuns.createdAt}) >= ${since}`,
        sql`not exists (select 1 from ${alertNotices} where ${alertNotices.key} = 'run:' || ${skillRuns.id}::text)`,
      ),
    )
    .limit(500);
  const deliveries: DeliveryRef[] = [];
  for (const candidate of candidates) deliveries.push(...(await noticeRunFailure(db, candidate)));
  return deliveries;
}
