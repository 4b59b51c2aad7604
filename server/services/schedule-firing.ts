import { and, asc, eq, inArray, lte } from "drizzle-orm";
import { Cron } from "croner";
import { nextFireAfter, resolveScheduleInputs } from "@/lib/schedules";
import { scheduleSlots, schedules, skillRuns, skills } from "@/server/db/schema";
import type { ScheduleSlotOutcome } from "@/server/db/schema/enums";
import { AgentNotFoundError } from "./agent-config";
import { InputsInvalidError, SkillNotFoundError } from "./run-errors";
import { createRun, dispatchCreatedRun, isCancellable, type RunServiceDeps, type StartedRun } from "./runs";

export type FireOptions = {
  /** The clock, injected so tests and benchmarks do not wait for real minutes. */
  now: Date;
  batchSize?: number;
  /** After an outage, at most this many earlier slots are recorded as missed, newest first. */
  maxMissedRecorded?: number;
};
export type FireSummary = Record<ScheduleSlotOutcome, number> & { schedules: number };

type DueSchedule = typeof schedules.$inferSelect;
type SlotRecord = { slotAt: Date; outcome: ScheduleSlotOutcome; runId?: string | null; reason?: string | null };

/** The schedule's slot key: a second tick, a restarted engine or a resent event finds the same run. */
export const slotIdempotencyKey = (scheduleId: string, slotAt: Date) => `schedule:${scheduleId}:${slotAt.toISOString()}`;

/** The latest slot at or before `now`, and the earlier due slots that were missed (newest first). */
function dueSlots(schedule: DueSchedule, now: Date, maxMissed: number): { latest: Date; missed: Date[] } {
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone, mode: "5-part", paused: true });
  const firstDue = schedule.nextFireAt ?? now;
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1));
  if (!latest || latest < firstDue) return { latest: firstDue, missed: [] };
  const missed = cron.previousRuns(maxMissed, latest).filter((slot) => slot >= firstDue);
  return { latest, missed };
}


/**
 * One schedules tick: every due schedule (enabled, `next_fire_at` ≤ now) fires its most recent
 * slot exactly once and records every slot's outcome. Batches are claimed with `FOR UPDATE SKIP
 * LOCKED`, so overlapping ticks share the work; runs are created under the lock (keyed by
 * schedule and slot) and dispatched after commit.
 */
export async function fireDueSchedules(deps: RunServiceDeps, options: FireOptions): Promise<FireSummary> {
  const { now, batchSize = 100, maxMissedRecorded = 100 } = options;
  const summary: FireSummary = { schedules: 0, fired: 0, skipped: 0, missed: 0, failed: 0 };
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
      const lastRunIds = due.flatMap((schedule) => (schedule.lastRunId ? [schedule.lastRunId] : []));
      const [skillRows, lastRuns] = await Promise.all([
        tx.select({ id: skills.id, enabled: skills.enabled }).from(skills).where(inArray(skills.id, skillIds)),
        lastRunIds.length ? tx.select({ id: skillRuns.id, status: skillRuns.status }).from(skillRuns).where(inArray(skillRuns.id, lastRunIds)) : Promise.resolve([]),
      ]);
      const skillEnabled = new Map(skillRows.map((skill) => [skill.id, skill.enabled]));
      const activeRuns = new Set(lastRuns.filter((run) => isCancellable(run.status)).map((run) => run.id));

      for (const schedule of due) {
        const { latest, missed } = dueSlots(schedule, now, maxMissedRecorded);
        const records: SlotRecord[] = missed.map((slotAt) => ({ slotAt, outcome: "missed", reason: "Skillrun was not running at this time." }));
        let disabledReason: string | null = null;
        let lastRunId = schedule.lastRunId;

        if (!skillEnabled.get(schedule.skillId)) {
          disabledReason = "The schedule's skill was removed from the catalog.";
        } else if (!schedule.agentId && !schedule.usesDefaultAgent) {
          disabledReason = "The schedule's agent was deleted.";
        } else if (schedule.overlapPolicy === "skip" && schedule.lastRunId && activeRuns.has(schedule.lastRunId)) {
          records.push({ slotAt: latest, outcome: "skipped", runId: schedule.lastRunId, reason: "The previous run was still queued or running." });
        } else {
          try {
            const started = await createRun(tx, {
              tenantId: schedule.tenantId,
              skill: { id: schedule.skillId },
              agentId: schedule.agentId,
              inputs: resolveScheduleInputs(schedule.inputs, schedule.timezone, latest),
              source: "schedule",
              invoker: { scheduleId: schedule.id, userId: null },
              idempotencyKey: slotIdempotencyKey(schedule.id, latest),
            });
            records.push({ slotAt: latest, outcome: "fired", runId: started.run.id });
            lastRunId = started.run.id;
            if (started.created) toDispatch.push({ run: started.run, tenantId: schedule.tenantId });
          } catch (error) {
            if (error instanceof InputsInvalidError) disabledReason = `The schedule's inputs no longer fit the skill: ${error.message}`;
            else if (error instanceof SkillNotFoundError) disabledReason = "The schedule's skill was removed from the catalog.";
            else if (error instanceof AgentNotFoundError) disabledReason = "The schedule's agent was deleted.";
            else throw error;
          }
        }
        if (disabledReason) records.push({ slotAt: latest, outcome: "failed", reason: `${disabledReason} The schedule was disabled.` });

        await tx
          .update(schedules)
          .set(
            disabledReason
              ? { enabled: false, disabledReason, nextFireAt: null, lastFireAt: latest }
              : { nextFireAt: nextFireAfter(schedule.cron, schedule.timezone, now), lastFireAt: latest, lastRunId },
          )
          .where(eq(schedules.id, schedule.id));
        await tx
          .insert(scheduleSlots)
          .values(records.map((record) => ({ tenantId: schedule.tenantId, scheduleId: schedule.id, slotAt: record.slotAt, outcome: record.outcome, runId: record.runId ?? null, reason: record.reason ?? null })))
          .onConflictDoNothing();
        for (const record of records) summary[record.outcome]++;
      }
      return due.length;
    });
    summary.schedules += claimed;
    // After commit: the function must find the run it is asked to execute.
    for (const { run, tenantId } of toDispatch) await dispatchCreatedRun(deps, run, tenantId).catch(() => undefined);
    if (claimed < batchSize) return summary;
  }
}
