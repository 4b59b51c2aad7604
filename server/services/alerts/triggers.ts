import "server-only";
import { and, eq, gte, inArray, isNotNull, sql } from "drizzle-orm";
import { formatUsd } from "@/lib/budgets";
import type { Database } from "@/server/db/client";
import {
  alertNotices,
  alertRules,
  budgetThresholdCrossings,
  schedules,
  scheduleSlots,
  skillRuns,
} from "@/server/db/schema";
import { claimNotice, enabledRules, fireRule, rulesOutOfCooldown, type DeliveryRef } from "./fire";

const watchingTenants = (db: Database, trigger: (typeof alertRules.$inferSelect)["trigger"]) =>
  db
    .selectDistinct({ tenantId: alertRules.tenantId })
    .from(alertRules)
    .where(and(eq(alertRules.trigger, trigger), eq(alertRules.enabled, true)));

/** No notice has claimed the fact of this key yet. */
export const notYetNoticed = (key: ReturnType<typeof sql>) =>
  sql`not exists (select 1 from ${alertNotices} where ${alertNotices.key} = ${key})`;

/**
 * "Failure rate above X % over a window": for each enabled rule, the runs created in its window
 * that have finished (complete or failed), narrowed by its skill and agent; above the threshold
 * with at least `minRuns` finished (default 5), it fires, and its cooldown keeps it to one
 * message while the rate stays high.
 */
export async function evaluateFailureRates(db: Database): Promise<DeliveryRef[]> {
  const rules = await rulesOutOfCooldown(db, "failure_rate");
  const deliveries: DeliveryRef[] = [];
  for (const rule of rules) {
    const {
      skillId,
      agentId,
      thresholdPercent = 100,
      windowMinutes = 60,
      minRuns = 5,
    } = rule.filters;
    const [counts] = await db
      .select({
        finished:
          sql<number>`count(*) filter (where ${skillRuns.status} in ('complete', 'failed'))`.mapWith(
            Number,
          ),
        failed: sql<number>`count(*) filter (where ${skillRuns.status} = 'failed')`.mapWith(Number),
      })
      .from(skillRuns)
      .where(
        and(
          eq(skillRuns.tenantId, rule.tenantId),
          gte(skillRuns.createdAt, sql`now() - make_interval(mins => ${windowMinutes})`),
          skillId ? eq(skillRuns.skillId, skillId) : undefined,
          agentId ? eq(skillRuns.agentId, agentId) : undefined,
        ),
      );
    if (!counts || counts.finished < minRuns) continue;
    const percent = (counts.failed / counts.finished) * 100;
    if (percent <= thresholdPercent) continue;
    deliveries.push(
      ...(await fireRule(db, rule, {
        subject: `[Skillrun] ${rule.name}: ${percent.toFixed(0)} % of runs failed in the last ${windowMinutes} min`,
        text: `${counts.failed} of ${counts.finished} finished runs failed in the last ${windowMinutes} minutes (threshold ${thresholdPercent} %).`,
        facts: {
          rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
          window: { minutes: windowMinutes, finished: counts.finished, failed: counts.failed },
          thresholdPercent,
        },
      })),
    );
  }
  return deliveries;
}

const PROBLEM_OUTCOMES = ["skipped", "missed", "failed", "skipped_budget"] as const;

/** Schedules that turned themselves off in the last day (the fire tick sets `disabled_reason`). */
function selfDisabledSchedules(db: Database) {
  return db
    .select({
      id: schedules.id,
      tenantId: schedules.tenantId,
      name: schedules.name,
      skillId: schedules.skillId,
      reason: schedules.disabledReason,
      updatedAt: schedules.updatedAt,
    })
    .from(schedules)
    .where(
      and(
        inArray(schedules.tenantId, watchingTenants(db, "schedule_problem")),
        eq(schedules.enabled, false),
        isNotNull(schedules.disabledReason),
        gte(schedules.updatedAt, sql`now() - interval '1 day'`),
      ),
    );
}

/**
 * Schedule problems: a slot recorded as skipped, missed, failed or skipped for the budget, and a
 * schedule that turned itself off (`disabled_reason` set), each judged once.
 */
export async function scanScheduleProblems(db: Database): Promise<DeliveryRef[]> {
  const slots = await db
    .select({
      id: scheduleSlots.id,
      tenantId: scheduleSlots.tenantId,
      scheduleId: scheduleSlots.scheduleId,
      scheduleName: schedules.name,
      skillId: schedules.skillId,
      slotAt: scheduleSlots.slotAt,
      outcome: scheduleSlots.outcome,
      reason: scheduleSlots.reason,
    })
    .from(scheduleSlots)
    .innerJoin(schedules, eq(schedules.id, scheduleSlots.scheduleId))
    .where(
      and(
        inArray(scheduleSlots.tenantId, watchingTenants(db, "schedule_problem")),
        gte(scheduleSlots.slotAt, sql`now() - interval '1 day'`),
        inArray(scheduleSlots.outcome, [...PROBLEM_OUTCOMES]),
        notYetNoticed(sql`'slot:' || ${scheduleSlots.id}::text`),
      ),
    )
    .limit(500);
  const disabled = await selfDisabledSchedules(db);
  const problems = [
    ...slots.map((slot) => ({
      key: `slot:${slot.id}`,
      tenantId: slot.tenantId,
      skillId: slot.skillId,
      subject: `schedule "${slot.scheduleName}" ${slot.outcome.replace("_", " ")} a slot`,
      text: `The slot at ${slot.slotAt.toISOString()} of schedule "${slot.scheduleName}" was ${slot.outcome.replace("_", " ")}${slot.reason ? `: ${slot.reason}` : "."}`,
      facts: { schedule: { id: slot.scheduleId, name: slot.scheduleName }, slot },
    })),
    ...disabled.map((schedule) => ({
      key: `schedule-disabled:${schedule.id}:${schedule.updatedAt.toISOString()}`,
      tenantId: schedule.tenantId,
      skillId: schedule.skillId,
      subject: `schedule "${schedule.name}" turned itself off`,
      text: `Schedule "${schedule.name}" was disabled: ${schedule.reason ?? "no reason recorded"}. It fires again once an operator turns it back on.`,
      facts: {
        schedule: { id: schedule.id, name: schedule.name, disabledReason: schedule.reason },
      },
    })),
  ];
  const deliveries: DeliveryRef[] = [];
  for (const problem of problems) {
    if (!(await claimNotice(db, problem.tenantId, problem.key))) continue;
    const rules = (await enabledRules(db, problem.tenantId, "schedule_problem")).filter(
      ({ filters }) => !filters.skillId || filters.skillId === problem.skillId,
    );
    for (const rule of rules)
      deliveries.push(
        ...(await fireRule(db, rule, {
          subject: `[Skillrun] ${rule.name}: ${problem.subject}`,
          text: problem.text,
          facts: {
            rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
            ...problem.facts,
          },
        })),
      );
  }
  return deliveries;
}

/**
 * Budget thresholds: the budgets module records each crossing of a soft or hard limit once a
 * month (`budget_threshold_crossings`); each new one fires the tenant's budget rules.
 */
export async function scanBudgetCrossings(db: Database): Promise<DeliveryRef[]> {
  const crossings = await db
    .select()
    .from(budgetThresholdCrossings)
    .where(
      and(
        inArray(budgetThresholdCrossings.tenantId, watchingTenants(db, "budget_threshold")),
        gte(budgetThresholdCrossings.crossedAt, sql`now() - interval '1 day'`),
        notYetNoticed(sql`'budget:' || ${budgetThresholdCrossings.id}::text`),
      ),
    );
  const deliveries: DeliveryRef[] = [];
  for (const crossing of crossings) {
    if (!(await claimNotice(db, crossing.tenantId, `budget:${crossing.id}`))) continue;
    const limit = crossing.threshold === "hard" ? "hard limit" : "soft limit";
    for (const rule of await enabledRules(db, crossing.tenantId, "budget_threshold"))
      deliveries.push(
        ...(await fireRule(db, rule, {
          subject: `[Skillrun] ${rule.name}: the monthly budget reached its ${limit}`,
          text: `Spend this month (${crossing.month}) reached ${formatUsd(Number(crossing.spendUsd))}, past the ${limit} of ${formatUsd(Number(crossing.limitUsd))}.${crossing.threshold === "hard" ? " New runs are refused until next month or until an admin raises the limit." : ""}`,
          facts: {
            rule: { id: rule.id, name: rule.name, trigger: rule.trigger },
            budget: {
              month: crossing.month,
              threshold: crossing.threshold,
              limitUsd: Number(crossing.limitUsd),
              spendUsd: Number(crossing.spendUsd),
            },
          },
        })),
      );
  }
  return deliveries;
}
