import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import { checkCadence, nextFireAfter, resolveScheduleInputs, type ScheduleInputValue } from "@/lib/schedules";
import { compileSkillInputs } from "@/lib/skill-inputs";
import type { Database } from "@/server/db/client";
import { agents, scheduleSlots, schedules, skillRuns, skills } from "@/server/db/schema";
import type { AuditAction, OverlapPolicy, ScheduleSlotOutcome } from "@/server/db/schema/enums";
import { recordAudit, type AuditContext } from "./audit";
import { InputsInvalidError } from "./run-errors";
import { createRun, dispatchCreatedRun, type RunServiceDeps } from "./runs";
import { skillVisibleTo } from "./skills";

export class ScheduleNotFoundError extends Error {
  readonly code = "schedule_not_found";
  constructor(scheduleId: string) {
    super(`Schedule ${scheduleId} was not found.`);
  }
}

export type ScheduleInput = {
  name: string;
  skillId: string;
  /** null: the tenant's default agent at fire time. */
  agentId: string | null;
  inputs: Record<string, ScheduleInputValue>;
  cron: string;
  timezone: string;
  overlapPolicy: OverlapPolicy;
  enabled: boolean;
};

/** Field errors as the editor shows them: schedule fields by name, skill inputs as `inputs.<name>`. */
async function validateSchedule(db: Database, tenantId: string, input: ScheduleInput, now: Date) {
  const errors: Record<string, string[]> = {};
  const cadence = checkCadence(input.cron, input.timezone);
  if (!cadence.ok) (errors[cadence.error.includes("IANA") ? "timezone" : "cron"] ??= []).push(cadence.error);
  const [skill] = await db
    .select({ id: skills.id, inputsSchema: skills.inputsSchema })
    .from(skills)
    .where(and(eq(skills.id, input.skillId), skillVisibleTo(tenantId)));
  if (!skill) errors.skillId = ["is not a skill of this tenant"];
  if (input.agentId) {
    const [agent] = await db.select({ id: agents.id }).from(agents).where(and(eq(agents.id, input.agentId), eq(agents.tenantId, tenantId)));
    if (!agent) errors.agentId = ["is not an agent of this tenant"];
  }
  if (skill && cadence.ok) {
    // Validated as the inputs of a slot fired now would be, relative dates resolved.
    const result = compileSkillInputs(skill.inputsSchema)(resolveScheduleInputs(input.inputs, input.timezone, now));
    if (!result.valid) for (const [field, messages] of Object.entries(result.fieldErrors)) errors[field ? `inputs.${field}` : "inputs"] = messages;
  }
  if (Object.keys(errors).length) throw new InputsInvalidError(errors);
}

const columnsOf = (input: ScheduleInput, now: Date) => ({
  name: input.name,
  skillId: input.skillId,
  agentId: input.agentId,
  usesDefaultAgent: input.agentId === null,
  inputs: input.inputs,
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

const scheduleAudit = (scope: { tenantId: string; audit: AuditContext }, action: Extract<AuditAction, `schedule.${string}`>, scheduleId: string, metadata: Record<string, unknown>) => ({
  tenantId: scope.tenantId,
  ...scope.audit,
  action,
  target: { type: "schedule", id: scheduleId },
  metadata,
});

export async function createSchedule(db: Database, scope: { tenantId: string; userId: string; audit: AuditContext }, input: ScheduleInput, now = new Date()) {
  await validateSchedule(db, scope.tenantId, input, now);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(schedules)
      .values({ tenantId: scope.tenantId, createdByUserId: scope.userId, ...columnsOf(input, now) })
      .returning({ id: schedules.id });
    await recordAudit(tx, scheduleAudit(scope, "schedule.create", created!.id, { name: input.name }));
    return created!;
  });
}

/**
 * Edits a schedule. Under the row lock the tick also takes: when the cadence and the enabled
 * state are unchanged, the pending `next_fire_at` stays, so a slot that is due but not yet
 * fired still fires (and slots missed in an outage are still recorded).
 */
export async function updateSchedule(db: Database, scope: ScheduleScope, input: ScheduleInput, now = new Date()) {
  await validateSchedule(db, scope.tenantId, input, now);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ cron: schedules.cron, timezone: schedules.timezone, enabled: schedules.enabled, nextFireAt: schedules.nextFireAt })
      .from(schedules)
      .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)))
      .for("update");
    if (!current) throw new ScheduleNotFoundError(scope.scheduleId);
    const sameCadence = current.enabled && input.enabled && current.cron === input.cron.trim() && current.timezone === input.timezone && current.nextFireAt;
    const [updated] = await tx
      .update(schedules)
      .set({ ...columnsOf(input, now), ...(sameCadence ? { nextFireAt: current.nextFireAt } : {}) })
      .where(eq(schedules.id, scope.scheduleId))
      .returning({ id: schedules.id });
    await recordAudit(tx, scheduleAudit(scope, "schedule.update", scope.scheduleId, { name: input.name }));
    return updated!;
  });
}

export async function setScheduleEnabled(db: Database, scope: ScheduleScope, enabled: boolean, now = new Date()) {
  const [schedule] = await db.select().from(schedules).where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)));
  if (!schedule) throw new ScheduleNotFoundError(scope.scheduleId);
  // Enabling an enabled schedule must not move its pending slot.
  if (schedule.enabled === enabled) return;
  if (enabled) {
    if (!schedule.agentId && !schedule.usesDefaultAgent) throw new InputsInvalidError({ agentId: ["was deleted; edit the schedule to choose another agent"] });
    await validateSchedule(db, scope.tenantId, { ...schedule, enabled: true }, now);
  }
  await db.transaction(async (tx) => {
    // Only a real change is logged: of two concurrent calls the same way, one finds it done.
    const [changed] = await tx
      .update(schedules)
      .set({ enabled, nextFireAt: enabled ? nextFireAfter(schedule.cron, schedule.timezone, now) : null, disabledReason: null, updatedAt: now })
      .where(and(eq(schedules.id, schedule.id), eq(schedules.enabled, !enabled)))
      .returning({ id: schedules.id });
    if (changed) await recordAudit(tx, scheduleAudit(scope, enabled ? "schedule.enable" : "schedule.disable", schedule.id, { name: schedule.name }));
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
    await recordAudit(tx, scheduleAudit(scope, "schedule.delete", deleted.id, { name: deleted.name }));
  });
}

const lastSlot = {
  lastOutcome: sql<ScheduleSlotOutcome | null>`(select outcome from ${scheduleSlots} where ${scheduleSlots.scheduleId} = ${schedules.id} order by ${scheduleSlots.slotAt} desc limit 1)`,
};

const scheduleColumns = {
  id: schedules.id,
  name: schedules.name,
  cron: schedules.cron,
  timezone: schedules.timezone,
  enabled: schedules.enabled,
  overlapPolicy: schedules.overlapPolicy,
  inputs: schedules.inputs,
  usesDefaultAgent: schedules.usesDefaultAgent,
  nextFireAt: schedules.nextFireAt,
  lastFireAt: schedules.lastFireAt,
  disabledReason: schedules.disabledReason,
  skill: { id: skills.id, slug: skills.slug, name: skills.name },
  agent: { id: agents.id, name: agents.name },
  ...lastSlot,
};

/** The tenant's schedules, optionally of one skill, with what each runs and how its last slot went. */
export function listSchedules(db: Database, tenantId: string, filters: { skillId?: string } = {}) {
  const conditions: (SQL | undefined)[] = [eq(schedules.tenantId, tenantId), filters.skillId ? eq(schedules.skillId, filters.skillId) : undefined];
  return db
    .select(scheduleColumns)
    .from(schedules)
    .innerJoin(skills, eq(skills.id, schedules.skillId))
    .leftJoin(agents, eq(agents.id, schedules.agentId))
    .where(and(...conditions))
    .orderBy(asc(schedules.name), asc(schedules.id));
}

export async function getSchedule(db: Database, tenantId: string, scheduleId: string) {
  const [schedule] = await db
    .select(scheduleColumns)
    .from(schedules)
    .innerJoin(skills, eq(skills.id, schedules.skillId))
    .leftJoin(agents, eq(agents.id, schedules.agentId))
    .where(and(eq(schedules.id, scheduleId), eq(schedules.tenantId, tenantId)));
  if (!schedule) throw new ScheduleNotFoundError(scheduleId);
  return schedule;
}

/** The health ledger: the last `limit` slots, newest first, with their runs' status. */
export async function listScheduleSlots(db: Database, tenantId: string, scheduleId: string, limit: number) {
  await getSchedule(db, tenantId, scheduleId);
  return db
    .select({
      id: scheduleSlots.id,
      slotAt: scheduleSlots.slotAt,
      outcome: scheduleSlots.outcome,
      reason: scheduleSlots.reason,
      run: { id: skillRuns.id, status: skillRuns.status, failureCode: skillRuns.failureCode },
    })
    .from(scheduleSlots)
    .leftJoin(skillRuns, eq(skillRuns.id, scheduleSlots.runId))
    .where(and(eq(scheduleSlots.scheduleId, scheduleId), eq(scheduleSlots.tenantId, tenantId)))
    .orderBy(desc(scheduleSlots.slotAt))
    .limit(limit);
}

/** "Run now" from a schedule: an ordinary schedule run with its inputs resolved now, recorded in the ledger. */
export async function runScheduleNow(deps: RunServiceDeps, scope: ScheduleScope & { userId: string }, now = new Date()) {
  // Under the row lock the tick takes, so last_run_id (the overlap check's input) is never overwritten by a racing tick.
  const started = await deps.db.transaction(async (tx) => {
    const [schedule] = await tx
      .select()
      .from(schedules)
      .where(and(eq(schedules.id, scope.scheduleId), eq(schedules.tenantId, scope.tenantId)))
      .for("update");
    if (!schedule) throw new ScheduleNotFoundError(scope.scheduleId);
    if (!schedule.agentId && !schedule.usesDefaultAgent) throw new InputsInvalidError({ agentId: ["was deleted; edit the schedule to choose another agent"] });
    const created = await createRun(tx, {
      tenantId: scope.tenantId,
      skill: { id: schedule.skillId },
      agentId: schedule.agentId,
      inputs: resolveScheduleInputs(schedule.inputs, schedule.timezone, now),
      source: "schedule",
      invoker: { scheduleId: schedule.id, userId: scope.userId },
    });
    await tx
      .insert(scheduleSlots)
      .values({ tenantId: scope.tenantId, scheduleId: schedule.id, slotAt: now, outcome: "fired", runId: created.run.id, reason: "Run now" })
      .onConflictDoNothing();
    await tx.update(schedules).set({ lastRunId: created.run.id }).where(eq(schedules.id, schedule.id));
    // One entry for the press of the button, naming the run it started.
    await recordAudit(tx, scheduleAudit(scope, "schedule.run_now", schedule.id, { name: schedule.name, runId: created.run.id }));
    return created;
  });
  // After commit: the function must find the run it is asked to execute.
  await dispatchCreatedRun(deps, started.run, scope.tenantId);
  return started;
}
