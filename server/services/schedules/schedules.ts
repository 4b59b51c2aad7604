import "server-only";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import {
  cadenceErrors,
  failingStreak,
  nextFireAfter,
  resolveScheduleInputs,
  slotHealth,
  type SlotForHealth,
} from "@/lib/schedules";
import type { ScheduleInput } from "@/lib/schemas/schedules";
import { compileSkillInputs } from "@/lib/skill-inputs";
import type { Database } from "@/server/db/client";
import { agents, scheduleSlots, schedules, skillRuns, skills } from "@/server/db/schema";
import type { AuditAction } from "@/server/db/schema/enums";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { InputsInvalidError } from "@/server/services/runs/run-errors";
import {
  createRun,
  dispatchCreatedRun,
  requestedSource,
  type RunServiceDeps,
} from "@/server/services/runs/runs";
import { addChannelDeliveries, deliveryChannelErrors } from "@/server/services/deliveries/channels";
import { ServiceError } from "@/server/services/errors";
import { checkRunTarget } from "@/server/services/runs/run-target";
import { skillProblemOf } from "@/server/services/catalog/skill-readiness";

export class ScheduleNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "schedule_not_found";
  constructor(scheduleId: string) {
    super(`Schedule ${scheduleId} was not found.`);
  }
}

/** Field errors as the editor shows them: schedule fields by name, skill inputs as `inputs.<name>`. */
async function validateSchedule(db: Database, tenantId: string, input: ScheduleInput, now: Date) {
  const errors: Record<string, string[]> = {};
  const cadence = cadenceErrors(input.cron, input.timezone);
  for (const field of ["cron", "timezone"] as const) {
    const message = cadence[field];
    if (message) errors[field] = [message];
  }
  const { skill, errors: targetErrors } = await checkRunTarget(db, tenantId, input);
  Object.assign(errors, targetErrors);
  Object.assign(errors, await deliveryChannelErrors(db, tenantId, input.deliveryChannelIds));
  if (skill && !cadence.cron && !cadence.timezone) {
    // Validated as the inputs of a slot fired now would be, relative dates resolved.
    const result = compileSkillInputs(skill.inputsSchema)(
      resolveScheduleInputs(input.inputs, input.timezone, now),
    );
    if (!result.valid)
      for (const [field, messages] of Object.entries(result.fieldErrors))
        errors[field ? `inputs.${field}` : "inputs"] = messages;
  }
  if (Object.keys(errors).length) throw new InputsInvalidError(errors);
}

const columnsOf = (input: ScheduleInput, now: Date) => ({
  name: input.name,
  skillId: input.skillId,
  agentId: input.agentId,
  usesDefaultAgent: input.agentId === null,
  inputs: input.inputs,
  // Omitted, both are kept on an update (drizzle leaves an undefined column out) and default to none on a create.
  tags: input.tags,
  deliveryChannelIds: input.deliveryChannelIds && [...new Set(input.deliveryChannelIds)],
  cron: input.cron.trim(),
  timezone: input.timezone,
  overlapPolicy: input.overlapPolicy,
  enabled: input.enabled,
  // From now on: editing or enabling never fires a burst for slots already past.
  nextFireAt: input.enabled ? nextFireAfter(input.cron, input.timezone, now) : null,
  disabledReason: null,
  updatedAt: now,
});

/** A change to one schedule of the tenant, and who makes it (the entry written with the change). */
type ScheduleScope = { tenantId: string; scheduleId: string; audit: AuditContext };

const scheduleAudit = (
  scope: { tenantId: string; audit: AuditContext },
  action: Extract<AuditAction, `schedule.${string}`>,
  scheduleId: string,
  metadata: Record<string, unknown>,
) => ({
  tenantId: scope.tenantId,
  ...scope.audit,
  action,
  target: { type: "schedule", id: scheduleId },
  metadata,
});

export async function createSchedule(
  db: Database,
  scope: { tenantId: string; userId: string; audit: AuditContext },
  input: ScheduleInput,
  now = new Date(),
) {
  await validateSchedule(db, scope.tenantId, input, now);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(schedules)
      .values({ tenantId: scope.tenantId, createdByUserId: scope.userId, ...columnsOf(input, now) })
      .returning({ id: schedules.id });
    await recordAudit(
      tx,
      scheduleAudit(scope, "schedule.create", created!.id, { name: input.name }),
    );
    return created!;
  });
}

/**
 * Edits a schedule. Under the row lock the tick also takes: when the cadence and the enabled
 * state are unchanged, the pending `next_fire_at` stays, so a slot that is due but not yet
 * fired still fires (and slots missed in an outage are still recorded).
 */
export async function updateSchedule(
  db: Database,
  scope: ScheduleScope,
  input: ScheduleInput,
  now = new Date(),
) {
  await validateSchedule(db, scope.tenantId, input, now);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({
        cron: schedules.cron,
        timezone: schedules.timezone,
        enabled: schedules.enabled,
        nextFireAt: schedules.nextFireAt,
      })
      .from(schedules)
      .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)))
      .for("update");
    if (!current) throw new ScheduleNotFoundError(scope.scheduleId);
    const sameCadence =
      current.enabled &&
      input.enabled &&
      current.cron === input.cron.trim() &&
      current.timezone === input.timezone &&
      current.nextFireAt;
    const [updated] = await tx
      .update(schedules)
      .set({ ...columnsOf(input, now), ...(sameCadence ? { nextFireAt: current.nextFireAt } : {}) })
      .where(eq(schedules.id, scope.scheduleId))
      .returning({ id: schedules.id });
    await recordAudit(
      tx,
      scheduleAudit(scope, "schedule.update", scope.scheduleId, { name: input.name }),
    );
    return updated!;
  });
}

export async function setScheduleEnabled(
  db: Database,
  scope: ScheduleScope,
  enabled: boolean,
  now = new Date(),
) {
  const [schedule] = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)));
  if (!schedule) throw new ScheduleNotFoundError(scope.scheduleId);
  // Enabling an enabled schedule must not move its pending slot.
  if (schedule.enabled === enabled) return;
  if (enabled) {
    if (!schedule.agentId && !schedule.usesDefaultAgent)
      throw new InputsInvalidError({
        agentId: ["was deleted; edit the schedule to choose another agent"],
      });
    await validateSchedule(db, scope.tenantId, { ...schedule, enabled: true }, now);
  }
  await db.transaction(async (tx) => {
    // Only a real change is logged: of two concurrent calls the same way, one finds it done.
    const [changed] = await tx
      .update(schedules)
      .set({
        enabled,
        nextFireAt: enabled ? nextFireAfter(schedule.cron, schedule.timezone, now) : null,
        disabledReason: null,
        updatedAt: now,
      })
      .where(and(eq(schedules.id, schedule.id), eq(schedules.enabled, !enabled)))
      .returning({ id: schedules.id });
    if (changed)
      await recordAudit(
        tx,
        scheduleAudit(scope, enabled ? "schedule.enable" : "schedule.disable", schedule.id, {
          name: schedule.name,
        }),
      );
  });
}

export async function deleteSchedule(db: Database, scope: ScheduleScope) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(schedules)
      .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)))
      .returning({ id: schedules.id, name: schedules.name });
    if (!deleted) throw new ScheduleNotFoundError(scope.scheduleId);
    // The name is kept in the entry: the schedule it points at is gone.
    await recordAudit(
      tx,
      scheduleAudit(scope, "schedule.delete", deleted.id, { name: deleted.name }),
    );
  });
}

/**
 * How many of a schedule's newest slots the list reads to judge its last slot and its failing
 * streak: a short range of the ledger's (schedule_id, slot_at desc) index per schedule, never
 * the whole ledger. A longer streak reads as this long, which is still true ("the last 20 failed").
 */
export const RECENT_SLOTS_FOR_STREAK = 20;

/**
 * Newest slot first, spelled as the ledger's index is built, `slot_at desc nulls last`: a bare
 * `desc` means `nulls first`, which that index cannot give in order (slot_at being not null does
 * not help the planner), so PostgreSQL would read and sort a schedule's whole ledger for a few rows.
 */
const newestSlotFirst = sql`${scheduleSlots.slotAt} desc nulls last`;

/** Each schedule's newest slots with their runs' status, newest first, in one lateral join. */
function recentSlotsOf(db: Database, tenantId: string) {
  const recent = db
    .select({
      slotAt: scheduleSlots.slotAt,
      outcome: scheduleSlots.outcome,
      runId: scheduleSlots.runId,
    })
    .from(scheduleSlots)
    .where(and(eq(scheduleSlots.scheduleId, schedules.id), eq(scheduleSlots.tenantId, tenantId)))
    .orderBy(newestSlotFirst)
    .limit(RECENT_SLOTS_FOR_STREAK)
    .as("recent_slot");
  return db
    .select({
      slots: sql<(SlotForHealth & { slotAt: string })[]>`coalesce(json_agg(json_build_object(
        'slotAt', ${recent.slotAt},
        'outcome', ${recent.outcome},
        'run', case when ${skillRuns.id} is null then null else json_build_object('status', ${skillRuns.status}) end
      ) order by ${recent.slotAt} desc), '[]')`.as("slots"),
    })
    .from(recent)
    .leftJoin(skillRuns, and(eq(skillRuns.id, recent.runId), eq(skillRuns.tenantId, tenantId)))
    .as("recent_slots");
}

const scheduleColumns = (recentSlots: ReturnType<typeof recentSlotsOf>) => ({
  id: schedules.id,
  name: schedules.name,
  cron: schedules.cron,
  timezone: schedules.timezone,
  enabled: schedules.enabled,
  overlapPolicy: schedules.overlapPolicy,
  inputs: schedules.inputs,
  tags: schedules.tags,
  deliveryChannelIds: schedules.deliveryChannelIds,
  usesDefaultAgent: schedules.usesDefaultAgent,
  nextFireAt: schedules.nextFireAt,
  lastFireAt: schedules.lastFireAt,
  disabledReason: schedules.disabledReason,
  skill: { id: skills.id, slug: skills.slug, name: skills.name },
  agent: { id: agents.id, name: agents.name },
  skillProblem: skillProblemOf(schedules),
  recentSlots: recentSlots.slots,
});

/** The newest slot's health by its run's final state, and how many runs in a row failed; null before the first slot. */
function withLastSlot<Row extends { recentSlots: (SlotForHealth & { slotAt: string })[] }>({
  recentSlots,
  ...schedule
}: Row) {
  const [newest] = recentSlots;
  return {
    ...schedule,
    lastSlot: newest
      ? { health: slotHealth(newest), failingStreak: failingStreak(recentSlots) }
      : null,
    /** When the newest slot was due, for the list's "Last slot" time. */
    lastSlotAt: newest ? new Date(newest.slotAt) : null,
  };
}

/** The tenant's schedules, optionally of one skill, with what each runs and how its last slot went. */
export async function listSchedules(
  db: Database,
  tenantId: string,
  filters: { skillId?: string } = {},
) {
  const conditions: (SQL | undefined)[] = [
    eq(schedules.tenantId, tenantId),
    filters.skillId ? eq(schedules.skillId, filters.skillId) : undefined,
  ];
  const recentSlots = recentSlotsOf(db, tenantId);
  const rows = await db
    .select(scheduleColumns(recentSlots))
    .from(schedules)
    .innerJoin(skills, eq(skills.id, schedules.skillId))
    .leftJoin(agents, eq(agents.id, schedules.agentId))
    .leftJoinLateral(recentSlots, sql`true`)
    .where(and(...conditions))
    .orderBy(asc(schedules.name), asc(schedules.id));
  return rows.map(withLastSlot);
}

export async function getSchedule(db: Database, tenantId: string, scheduleId: string) {
  const recentSlots = recentSlotsOf(db, tenantId);
  const [schedule] = await db
    .select(scheduleColumns(recentSlots))
    .from(schedules)
    .innerJoin(skills, eq(skills.id, schedules.skillId))
    .leftJoin(agents, eq(agents.id, schedules.agentId))
    .leftJoinLateral(recentSlots, sql`true`)
    .where(and(eq(schedules.id, scheduleId), eq(schedules.tenantId, tenantId)));
  if (!schedule) throw new ScheduleNotFoundError(scheduleId);
  return withLastSlot(schedule);
}

/** The health ledger: the last `limit` slots, newest first, with their runs' status and each slot's health. */
export async function listScheduleSlots(
  db: Database,
  tenantId: string,
  scheduleId: string,
  limit: number,
) {
  // Only whether it is this tenant's: the ledger polls, and getSchedule also reads the recent slots.
  const [schedule] = await db
    .select({ id: schedules.id })
    .from(schedules)
    .where(and(eq(schedules.id, scheduleId), eq(schedules.tenantId, tenantId)));
  if (!schedule) throw new ScheduleNotFoundError(scheduleId);
  const slots = await db
    .select({
      id: scheduleSlots.id,
      slotAt: scheduleSlots.slotAt,
      outcome: scheduleSlots.outcome,
      reason: scheduleSlots.reason,
      run: { id: skillRuns.id, status: skillRuns.status, failureCode: skillRuns.failureCode },
    })
    .from(scheduleSlots)
    .leftJoin(
      skillRuns,
      and(eq(skillRuns.id, scheduleSlots.runId), eq(skillRuns.tenantId, tenantId)),
    )
    .where(and(eq(scheduleSlots.scheduleId, scheduleId), eq(scheduleSlots.tenantId, tenantId)))
    .orderBy(newestSlotFirst)
    .limit(limit);
  return slots.map((slot) => ({ ...slot, health: slotHealth(slot) }));
}

/** "Run now" from a schedule: an ordinary schedule run with its inputs resolved now, recorded in the ledger. */
export async function runScheduleNow(
  deps: RunServiceDeps,
  scope: ScheduleScope & { userId: string },
  now = new Date(),
) {
  // Under the row lock the tick takes, so last_run_id (the overlap check's input) is never overwritten by a racing tick.
  const started = await deps.db.transaction(async (tx) => {
    const [schedule] = await tx
      .select()
      .from(schedules)
      .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)))
      .for("update");
    if (!schedule) throw new ScheduleNotFoundError(scope.scheduleId);
    if (!schedule.agentId && !schedule.usesDefaultAgent)
      throw new InputsInvalidError({
        agentId: ["was deleted; edit the schedule to choose another agent"],
      });
    const created = await createRun(tx, {
      tenantId: scope.tenantId,
      skill: { id: schedule.skillId },
      agentId: schedule.agentId,
      inputs: resolveScheduleInputs(schedule.inputs, schedule.timezone, now),
      tags: schedule.tags,
      source: "schedule",
      invoker: { scheduleId: schedule.id, userId: scope.userId },
    });
    if (created.created)
      await addChannelDeliveries(tx, [{ runId: created.run.id, tenantId: scope.tenantId }]);
    await tx
      .insert(scheduleSlots)
      .values({
        tenantId: scope.tenantId,
        scheduleId: schedule.id,
        slotAt: now,
        outcome: "fired",
        runId: created.run.id,
        reason: "Run now",
      })
      .onConflictDoNothing();
    await tx
      .update(schedules)
      .set({ lastRunId: created.run.id })
      .where(eq(schedules.id, schedule.id));
    // One entry for the press of the button, naming the run it started.
    await recordAudit(
      tx,
      scheduleAudit(scope, "schedule.run_now", schedule.id, {
        name: schedule.name,
        runId: created.run.id,
      }),
    );
    return created;
  });
  // After commit: the function must find the run it is asked to execute.
  await dispatchCreatedRun(
    deps,
    started.run,
    scope.tenantId,
    requestedSource({ source: "schedule", invokerUserId: scope.userId }),
  );
  return started;
}
