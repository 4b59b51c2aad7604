import "server-only";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { Cron } from "croner";
import { resolveScheduleInputs } from "@/lib/schedules";
import { jsonbParam } from "@/server/db/jsonb";
import { scheduleSlots, schedules, skillRuns, skills } from "@/server/db/schema";
import type { ScheduleSlotOutcome } from "@/server/db/schema/enums";
import { isCancellable } from "@/lib/enums";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { recordAudit, type AuditEntry } from "@/server/services/access/audit";
import { BudgetExceededError } from "@/server/services/budgets/budgets";
import { InputsInvalidError, SkillNotFoundError } from "@/server/services/runs/run-errors";
import { addChannelDeliveries } from "@/server/services/deliveries/channels";
import {
  createRuns,
  dispatchCreatedRuns,
  type RunServiceDeps,
  type StartedRun,
  type StartRunInput,
} from "@/server/services/runs/runs";

export type FireOptions = {
  /** The clock, injected so tests and benchmarks do not wait for real minutes. */
  now: Date;
  batchSize?: number;
  /** After an outage, at most this many earlier slots are recorded as missed, newest first. */
  maxMissedRecorded?: number;
};
export type FireSummary = Record<ScheduleSlotOutcome, number> & { schedules: number };

type DueSchedule = typeof schedules.$inferSelect;
type SlotRecord = {
  slotAt: Date;
  outcome: ScheduleSlotOutcome;
  runId?: string | null;
  reason?: string | null;
};

/** The schedule's slot key: a second tick, a restarted engine or a resent event finds the same run. */
export const slotIdempotencyKey = (scheduleId: string, slotAt: Date) =>
  `schedule:${scheduleId}:${slotAt.toISOString()}`;

/** One Cron per (expression, timezone) for a tick: many schedules share a cadence, and croner parses on construction. */
type CronCache = Map<string, Cron>;
function cronFor(cache: CronCache, expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  let cron = cache.get(key);
  if (!cron) {
    // As lib/schedules' cadence builds it (croner splits the pattern on whitespace, so trimming changes nothing).
    cron = new Cron(expression.trim(), { timezone, mode: "5-part", paused: true });
    cache.set(key, cron);
  }
  return cron;
}

/** The latest slot at or before `now`, and the earlier due slots that were missed (newest first). */
function dueSlots(
  cron: Cron,
  schedule: DueSchedule,
  now: Date,
  maxMissed: number,
): { latest: Date; missed: Date[] } {
  const firstDue = schedule.nextFireAt ?? now;
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1));
  if (!latest || latest < firstDue) return { latest: firstDue, missed: [] };
  // Back from `latest` one slot at a time while the slot is still due (≥ firstDue), at most
  // maxMissed: the slots of `previousRuns(maxMissed, latest).filter(slot >= firstDue)` (croner
  // walks the same way), without computing all maxMissed of them on every tick — about 19 ms a
  // schedule with a timezone. On time (firstDue = latest) no slot can be earlier and due.
  const missed: Date[] = [];
  for (let cursor = latest; cursor > firstDue && missed.length < maxMissed;) {
    const [slot] = cron.previousRuns(1, cursor);
    if (!slot || slot < firstDue) break;
    missed.push(slot);
    cursor = slot;
  }
  return { latest, missed };
}

/** The audit log's origin for what the tick does. */
const SCHEDULER_ORIGIN = "scheduler";

/** Rows per slot insert: well under PostgreSQL's 65,535 parameters after an outage (≤ 1 + maxMissed slots a schedule). */
const SLOT_INSERT_CHUNK = 1_000;

/**
 * One schedules tick: every due schedule (enabled, `next_fire_at` ≤ now) fires its most recent
 * slot exactly once and records every slot's outcome. Batches are claimed with `FOR UPDATE SKIP
 * LOCKED`, so overlapping ticks share the work; runs are created under the lock (keyed by
 * schedule and slot) and dispatched after commit. A batch costs a fixed handful of statements
 * (the runs of the whole batch are created together, see `createRuns`), not several a schedule.
 */
export async function fireDueSchedules(
  deps: RunServiceDeps,
  options: FireOptions,
): Promise<FireSummary> {
  const { now, batchSize = 100, maxMissedRecorded = 100 } = options;
  const summary: FireSummary = {
    schedules: 0,
    fired: 0,
    skipped: 0,
    missed: 0,
    failed: 0,
    skipped_budget: 0,
  };
  const crons: CronCache = new Map();
  for (;;) {
    const toDispatch: { run: StartedRun["run"]; tenantId: string }[] = [];
    const claimed = await deps.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(schedules)
        .where(and(eq(schedules.enabled, true), lte(schedules.nextFireAt, now)))
        .orderBy(asc(schedules.nextFireAt))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (due.length === 0) return 0;

      const skillIds = [...new Set(due.map((schedule) => schedule.skillId))];
      const lastRunIds = due.flatMap((schedule) =>
        schedule.lastRunId ? [schedule.lastRunId] : [],
      );
      const [skillRows, lastRuns] = await Promise.all([
        tx
          .select({ id: skills.id, enabled: skills.enabled })
          .from(skills)
          .where(inArray(skills.id, skillIds)),
        lastRunIds.length
          ? tx
              .select({ id: skillRuns.id, status: skillRuns.status })
              .from(skillRuns)
              .where(inArray(skillRuns.id, lastRunIds))
          : Promise.resolve([]),
      ]);
      const skillEnabled = new Map(skillRows.map((skill) => [skill.id, skill.enabled]));
      const activeRuns = new Set(
        lastRuns.filter((run) => isCancellable(run.status)).map((run) => run.id),
      );

      // 1. Each schedule's slots, and what becomes of its latest one.
      const plans = due.map((schedule) => {
        try {
          return planSlot(schedule);
        } catch (error) {
          // A row that can no longer be read (a timezone gone from ICU, a cron written outside
          // the service) disables itself instead of failing the batch for every tenant.
          const reason = `The schedule's cadence could not be read: ${error instanceof Error ? error.message : String(error)}.`;
          return {
            schedule,
            cron: null,
            latest: schedule.nextFireAt ?? now,
            records: [] as SlotRecord[],
            disabledReason: reason as string | null,
            runInput: null,
            lastRunId: schedule.lastRunId,
            startedRunId: null as string | null,
          };
        }
      });
      function planSlot(schedule: (typeof due)[number]) {
        const cron = cronFor(crons, schedule.cron, schedule.timezone);
        const { latest, missed } = dueSlots(cron, schedule, now, maxMissedRecorded);
        const records: SlotRecord[] = missed.map((slotAt) => ({
          slotAt,
          outcome: "missed",
          reason: "Skillrun was not running at this time.",
        }));
        let disabledReason: string | null = null;
        let runInput: (StartRunInput & { skill: { id: string } }) | null = null;
        if (!skillEnabled.get(schedule.skillId)) {
          disabledReason = "The schedule's skill was removed from the catalog.";
        } else if (!schedule.agentId && !schedule.usesDefaultAgent) {
          disabledReason = "The schedule's agent was deleted.";
        } else if (
          schedule.overlapPolicy === "skip" &&
          schedule.lastRunId &&
          activeRuns.has(schedule.lastRunId)
        ) {
          records.push({
            slotAt: latest,
            outcome: "skipped",
            runId: schedule.lastRunId,
            reason: "The previous run was still queued or running.",
          });
        } else {
          runInput = {
            tenantId: schedule.tenantId,
            skill: { id: schedule.skillId },
            agentId: schedule.agentId,
            inputs: resolveScheduleInputs(schedule.inputs, schedule.timezone, latest),
            tags: schedule.tags,
            source: "schedule",
            invoker: { scheduleId: schedule.id, userId: null },
            idempotencyKey: slotIdempotencyKey(schedule.id, latest),
          };
        }
        return {
          schedule,
          cron,
          latest,
          records,
          disabledReason,
          runInput,
          lastRunId: schedule.lastRunId,
          startedRunId: null as string | null,
        };
      }

      // 2. The runs of the batch, created together under the lock.
      const firing = plans.filter((plan) => plan.runInput);
      const outcomes = await createRuns(
        tx,
        firing.map((plan) => plan.runInput!),
      );
      firing.forEach((plan, index) => {
        const outcome = outcomes[index]!;
        if ("run" in outcome) {
          plan.records.push({ slotAt: plan.latest, outcome: "fired", runId: outcome.run.id });
          plan.lastRunId = outcome.run.id;
          if (outcome.created) {
            toDispatch.push({ run: outcome.run, tenantId: plan.schedule.tenantId });
            plan.startedRunId = outcome.run.id;
          }
          return;
        }
        const { error } = outcome;
        // Over the budget the schedule stays on: its slots are skipped until the month turns.
        if (error instanceof BudgetExceededError) {
          plan.records.push({
            slotAt: plan.latest,
            outcome: "skipped_budget",
            reason: error.message,
          });
          return;
        }
        if (error instanceof InputsInvalidError)
          plan.disabledReason = `The schedule's inputs no longer fit the skill: ${error.message}`;
        else if (error instanceof SkillNotFoundError)
          plan.disabledReason = "The schedule's skill was removed from the catalog.";
        else if (error instanceof AgentNotFoundError)
          plan.disabledReason = "The schedule's agent was deleted.";
        else throw error;
      });
      // The new runs' results to their schedules' channels: outbox rows, with the runs.
      const delivered = plans.flatMap(
        ({ startedRunId: runId, schedule: { tenantId, deliveryChannelIds } }) =>
          runId && deliveryChannelIds.length ? [{ runId, tenantId }] : [],
      );
      await addChannelDeliveries(tx, delivered);
      for (const plan of plans) {
        if (plan.disabledReason)
          plan.records.push({
            slotAt: plan.latest,
            outcome: "failed",
            reason: `${plan.disabledReason} The schedule was disabled.`,
          });
      }

      // 3. The audit entries of the batch, one insert: each run a schedule started, and each
      // schedule the tick disabled (by Skillrun itself).
      const audit: AuditEntry[] = plans.flatMap((plan): AuditEntry[] => {
        const tenantId = plan.schedule.tenantId;
        if (plan.disabledReason) {
          return [
            {
              tenantId,
              actor: { type: "system", id: null },
              action: "schedule.disable",
              target: { type: "schedule", id: plan.schedule.id },
              origin: SCHEDULER_ORIGIN,
              metadata: { name: plan.schedule.name, reason: plan.disabledReason },
            },
          ];
        }
        return plan.startedRunId
          ? [
              {
                tenantId,
                actor: { type: "schedule", id: plan.schedule.id },
                action: "run.start",
                target: { type: "run", id: plan.startedRunId },
                origin: SCHEDULER_ORIGIN,
                metadata: { source: "schedule", slotAt: plan.latest.toISOString() },
              },
            ]
          : [];
      });
      await recordAudit(tx, audit);

      // 4. The schedules move on (one statement for those that keep firing) and every slot is recorded.
      const updatedAt = new Date();
      const moving = plans.filter((plan) => !plan.disabledReason);
      if (moving.length) {
        const rows = moving.map((plan) => ({
          id: plan.schedule.id,
          next_fire_at: plan.cron?.nextRun(now)?.toISOString() ?? null, // nextFireAfter(cron, timezone, now)
          last_fire_at: plan.latest.toISOString(),
          last_run_id: plan.lastRunId,
        }));
        await tx.execute(sql`
          update ${schedules}
          set next_fire_at = moved.next_fire_at, last_fire_at = moved.last_fire_at, last_run_id = moved.last_run_id, updated_at = ${updatedAt.toISOString()}
          from jsonb_to_recordset(${jsonbParam(rows)}) as moved(id uuid, next_fire_at timestamptz, last_fire_at timestamptz, last_run_id uuid)
          where ${schedules.id} = moved.id`);
      }
      for (const plan of plans) {
        if (!plan.disabledReason) continue;
        await tx
          .update(schedules)
          .set({
            enabled: false,
            disabledReason: plan.disabledReason,
            nextFireAt: null,
            lastFireAt: plan.latest,
          })
          .where(eq(schedules.id, plan.schedule.id));
      }
      const slotRows = plans.flatMap((plan) =>
        plan.records.map((record) => ({
          tenantId: plan.schedule.tenantId,
          scheduleId: plan.schedule.id,
          slotAt: record.slotAt,
          outcome: record.outcome,
          runId: record.runId ?? null,
          reason: record.reason ?? null,
        })),
      );
      for (let offset = 0; offset < slotRows.length; offset += SLOT_INSERT_CHUNK) {
        await tx
          .insert(scheduleSlots)
          .values(slotRows.slice(offset, offset + SLOT_INSERT_CHUNK))
          .onConflictDoNothing();
      }
      for (const row of slotRows) summary[row.outcome]++;
      return due.length;
    });
    summary.schedules += claimed;
    // After commit: the function must find the run it is asked to execute.
    await dispatchCreatedRuns(deps, toDispatch);
    if (claimed < batchSize) return summary;
  }
}
