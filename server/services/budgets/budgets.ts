import "server-only";
import { and, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import { budgetMonthAt, formatUsd, type BudgetMonth } from "@/lib/budgets";
import { CANCELLABLE_RUN_STATUSES, type BudgetThreshold } from "@/lib/enums";
import type { UpdateBudgetInput } from "@/lib/schemas/budgets";
import { isValidTimeZone } from "@/lib/schedules";
import type { Database, Transaction } from "@/server/db/client";
import { budgetThresholdCrossings, skillRuns, tenantBudgets } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { agentModel, estimateForModel, reservationUsd } from "./cost-estimate";

/** Runs not finished yet (queued, running, awaiting approval): their cost is still to come. */
const IN_FLIGHT = [...CANCELLABLE_RUN_STATUSES];

/** Money is compared in whole micro-dollars (the columns' scale), never as floats. */
const toMicros = (usd: number | string) => Math.round(Number(usd) * 1_000_000);
const fromMicros = (micros: number) => micros / 1_000_000;
const microsColumn = (micros: number) => (micros / 1_000_000).toFixed(6);

type Budget = {
  softLimitUsd: number | null;
  hardLimitUsd: number | null;
  timezone: string;
};

/** A start refused because the tenant's month has reached its hard limit. */
export class BudgetExceededError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "budget_exceeded";
  constructor(detail: {
    month: BudgetMonth;
    timezone: string;
    limitUsd: number;
    spentUsd: number;
  }) {
    const resumes = new Intl.DateTimeFormat("en-GB", {
      timeZone: detail.timezone,
      day: "numeric",
      month: "long",
      year: "numeric",
    }).format(detail.month.end);
    super(
      `This tenant's monthly budget is used up: ${formatUsd(detail.spentUsd)} of its ${formatUsd(detail.limitUsd)} hard limit is spent or reserved by running runs this month (${detail.timezone}). New runs start again on ${resumes}, or when an admin raises the limit in Settings.`,
    );
  }
}

const budgetOf = (row: typeof tenantBudgets.$inferSelect): Budget | null =>
  row.softLimitUsd === null && row.hardLimitUsd === null
    ? null
    : {
        softLimitUsd: row.softLimitUsd === null ? null : Number(row.softLimitUsd),
        hardLimitUsd: row.hardLimitUsd === null ? null : Number(row.hardLimitUsd),
        timezone: row.timezone,
      };

/**
 * What the month has cost the tenant so far, in micro-dollars: each run created in the month
 * counts its cost once it has one, and its reservation while it is queued or running (an
 * unbudgeted start reserved nothing). A run that ended without a cost counts nothing.
 *
 * Two sums, so the month's many finished runs are read from skill_runs_dashboard_idx alone (an
 * index-only scan: it holds tenant, created_at and cost_usd) and only the few queued or running
 * ones are fetched from the table for their reservation (skill_runs_status_idx).
 */
export async function monthSpendMicros(
  db: Database | Transaction,
  tenantId: string,
  month: BudgetMonth,
): Promise<number> {
  const inMonth = and(
    eq(skillRuns.tenantId, tenantId),
    gte(skillRuns.createdAt, month.start),
    lt(skillRuns.createdAt, month.end),
  );
  const costs = db
    .select({ sum: sql`coalesce(sum(${skillRuns.costUsd}), 0)` })
    .from(skillRuns)
    .where(inMonth);
  const reservations = db
    .select({ sum: sql`coalesce(sum(${skillRuns.reservedCostUsd}), 0)` })
    .from(skillRuns)
    .where(and(inMonth, inArray(skillRuns.status, IN_FLIGHT), isNull(skillRuns.costUsd)));
  const [row] = await db.execute<{ spent: string }>(
    sql`select ((${costs}) + (${reservations}))::text as spent`,
  );
  return toMicros(row?.spent ?? 0);
}

async function recordCrossing(
  db: Database | Transaction,
  tenantId: string,
  crossing: { month: BudgetMonth; threshold: BudgetThreshold; limitUsd: number; spent: number },
) {
  await db
    .insert(budgetThresholdCrossings)
    .values({
      tenantId,
      month: crossing.month.label,
      threshold: crossing.threshold,
      limitUsd: crossing.limitUsd.toFixed(6),
      spendUsd: microsColumn(crossing.spent),
    })
    .onConflictDoNothing();
}

/** A run about to be inserted, as the budget sees it; a run born failed costs nothing. */
export type BudgetedStart = {
  tenantId: string;
  skillId: string;
  agentId: string | null;
  bornFailed: boolean;
  /** Whether the tenant had a budget with a limit when the start was planned (read with its skill). */
  tenantBudgeted: boolean;
};
export type BudgetVerdict = { reservedCostUsd: string | null } | { error: BudgetExceededError };

/**
 * Admits a tenant's starts in order against its month. The invariant, under the tenant's budget
 * lock (see `withinBudgets`): a run is admitted only if the month's spend — costs of finished
 * runs plus the reservations of queued and running ones — is below the hard limit and stays at or
 * below it with the run's own reservation (`reservationUsd`: its estimate's p90, else a long
 * turn at the model's price, 0 for an unpriced model) added; the reservation is written on the
 * run in the same transaction, so the next start sees it. Reaching the soft limit records its
 * crossing once a month.
 *
 * So admission is exact against reservations, and the month's final cost stays within the hard
 * limit exactly when every admitted run costs at most its reservation. A run costing more (above
 * its skill's p90, or a first run longer than the no-history turn) can take the month past the
 * limit by that excess; the next start then sees the real cost and is refused.
 */
async function admitForTenant(
  tx: Transaction,
  tenantId: string,
  budget: Budget,
  starts: BudgetedStart[],
  now: Date,
): Promise<BudgetVerdict[]> {
  const month = budgetMonthAt(budget.timezone, now);
  let spent = await monthSpendMicros(tx, tenantId, month);
  const hard = budget.hardLimitUsd === null ? null : toMicros(budget.hardLimitUsd);
  const estimates = new Map<string, number>();
  const verdicts: BudgetVerdict[] = [];
  let refusedAt: number | null = null;
  for (const start of starts) {
    if (start.bornFailed) {
      verdicts.push({ reservedCostUsd: null });
      continue;
    }
    const key = `${start.skillId}\u0000${start.agentId ?? ""}`;
    let reservation = estimates.get(key);
    if (reservation === undefined) {
      const agent = start.agentId ? await agentModel(tx, tenantId, start.agentId) : null;
      const estimate = await estimateForModel(tx, tenantId, start.skillId, agent?.model ?? null);
      reservation = toMicros(reservationUsd(estimate));
      estimates.set(key, reservation);
    }
    if (hard !== null && (spent >= hard || spent + reservation > hard)) {
      refusedAt ??= spent;
      verdicts.push({
        error: new BudgetExceededError({
          month,
          timezone: budget.timezone,
          limitUsd: fromMicros(hard),
          spentUsd: fromMicros(spent),
        }),
      });
      continue;
    }
    spent += reservation;
    verdicts.push({ reservedCostUsd: microsColumn(reservation) });
  }
  if (budget.softLimitUsd !== null && spent >= toMicros(budget.softLimitUsd))
    await recordCrossing(tx, tenantId, {
      month,
      threshold: "soft",
      limitUsd: budget.softLimitUsd,
      spent,
    });
  if (budget.hardLimitUsd !== null && refusedAt !== null)
    await recordCrossing(tx, tenantId, {
      month,
      threshold: "hard",
      limitUsd: budget.hardLimitUsd,
      spent: refusedAt,
    });
  return verdicts;
}

/** The tenants' budgets that set a limit, by tenant. */
async function budgetsOf(db: Database | Transaction, tenantIds: string[]) {
  const rows = tenantIds.length
    ? await db.select().from(tenantBudgets).where(inArray(tenantBudgets.tenantId, tenantIds))
    : [];
  return new Map(
    rows.flatMap((row) => {
      const budget = budgetOf(row);
      return budget ? [[row.tenantId, budget] as const] : [];
    }),
  );
}

/**
 * Runs `insert` with each start's budget verdict, in one transaction with the checks: each
 * start's tenant's lock (`pg_advisory_xact_lock`, taken in tenant order so two callers never
 * wait on each other) is held until the caller's transaction ends, and the budgets are read under
 * the locks, so concurrent starts of a tenant are admitted one after another and each sees the
 * reservations of those before it and the limits saved before it took the lock. Tenants without
 * a budget reserve nothing; when no start's tenant had one as its target was read
 * (`tenantBudgeted`, read in the same statement as its skill, so an unbudgeted start costs no
 * statement here), `insert` runs on `db` as it is, without a transaction or lock (a start racing
 * a tenant's first budget counts as started just before it).
 */
export async function withinBudgets<Result>(
  db: Database | Transaction,
  starts: BudgetedStart[],
  insert: (db: Database | Transaction, verdicts: BudgetVerdict[]) => Promise<Result>,
  now = new Date(),
): Promise<Result> {
  const tenantIds = [...new Set(starts.map((start) => start.tenantId))].sort();
  if (!starts.some((start) => start.tenantBudgeted))
    return insert(
      db,
      starts.map(() => ({ reservedCostUsd: null })),
    );
  return db.transaction(async (tx) => {
    for (const tenantId of tenantIds)
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`skillrun:budget:${tenantId}`}, 0))`,
      );
    // Read again under the locks: a limit saved since the targets were read (lowered, or another
    // tenant's first) holds for these starts.
    const budgets = await budgetsOf(tx, tenantIds);
    const verdicts: BudgetVerdict[] = starts.map(() => ({ reservedCostUsd: null }));
    for (const tenantId of tenantIds) {
      const budget = budgets.get(tenantId);
      if (!budget) continue;
      const indexes = starts.flatMap((start, index) =>
        start.tenantId === tenantId ? [index] : [],
      );
      const tenantVerdicts = await admitForTenant(
        tx,
        tenantId,
        budget,
        indexes.map((index) => starts[index]).filter((start) => start !== undefined),
        now,
      );
      indexes.forEach((startIndex, position) => {
        const verdict = tenantVerdicts[position];
        if (verdict) verdicts[startIndex] = verdict;
      });
    }
    return insert(tx, verdicts);
  });
}

export type BudgetStatus = {
  budget: Budget | null;
  month: { label: string; start: Date; end: Date } | null;
  spentUsd: number;
  overSoftLimit: boolean;
  overHardLimit: boolean;
};

/** The tenant's budget and the month so far, for the settings page and the console's banner. */
export async function getBudgetStatus(
  db: Database,
  tenantId: string,
  now = new Date(),
): Promise<BudgetStatus> {
  const [row] = await db.select().from(tenantBudgets).where(eq(tenantBudgets.tenantId, tenantId));
  const budget = row ? budgetOf(row) : null;
  const timezone = row?.timezone ?? "UTC";
  const month = budgetMonthAt(timezone, now);
  const spent = await monthSpendMicros(db, tenantId, month);
  const reached = (limit: number | null | undefined) =>
    limit !== null && limit !== undefined && spent >= toMicros(limit);
  return {
    budget: budget ?? (row ? { softLimitUsd: null, hardLimitUsd: null, timezone } : null),
    month,
    spentUsd: fromMicros(spent),
    overSoftLimit: reached(budget?.softLimitUsd),
    overHardLimit: reached(budget?.hardLimitUsd),
  };
}

/** The budget's limits or zone cannot be saved: each field says why. */
export class BudgetInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "budget_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(
      `The budget cannot be saved: ${Object.entries(fieldErrors)
        .map(([field, messages]) => `${field} ${messages.join(", ")}`)
        .join("; ")}.`,
    );
  }
}

const BUDGET_LABELS = {
  softLimitUsd: "Soft limit (USD)",
  hardLimitUsd: "Hard limit (USD)",
  timezone: "Timezone",
};

/** Sets the tenant's budget (null limits: none), with its audit entry in the same transaction. */
export async function updateBudget(
  db: Database,
  tenantId: string,
  input: UpdateBudgetInput,
  audit: AuditContext,
) {
  if (!isValidTimeZone(input.timezone))
    throw new BudgetInvalidError({ timezone: [`"${input.timezone}" is not an IANA timezone`] });
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(tenantBudgets)
      .where(eq(tenantBudgets.tenantId, tenantId))
      .for("update");
    const values = {
      softLimitUsd: input.softLimitUsd === null ? null : input.softLimitUsd.toFixed(6),
      hardLimitUsd: input.hardLimitUsd === null ? null : input.hardLimitUsd.toFixed(6),
      timezone: input.timezone,
    };
    await tx
      .insert(tenantBudgets)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: tenantBudgets.tenantId, set: values });
    const shown = (value: string | null | undefined) =>
      value === null || value === undefined ? null : formatUsd(Number(value));
    const changes = auditChanges(
      before
        ? {
            softLimitUsd: shown(before.softLimitUsd),
            hardLimitUsd: shown(before.hardLimitUsd),
            timezone: before.timezone,
          }
        : null,
      {
        softLimitUsd: shown(values.softLimitUsd),
        hardLimitUsd: shown(values.hardLimitUsd),
        timezone: values.timezone,
      },
      BUDGET_LABELS,
    );
    if (changes.length)
      await recordAudit(tx, {
        tenantId,
        ...audit,
        action: "budget.update",
        target: { type: "budget", id: tenantId },
        metadata: { changes },
      });
    return { ...input };
  });
}
