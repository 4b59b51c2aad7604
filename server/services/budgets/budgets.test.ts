import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  auditLog,
  budgetThresholdCrossings,
  skillRuns,
  tenantBudgets,
  type RunStatus,
} from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import type { RunDispatcher, RunServiceDeps, StartRunInput } from "@/server/services/runs/runs";
import { startRun } from "@/server/services/runs/runs";
import { BudgetExceededError, getBudgetStatus, monthSpendMicros, updateBudget } from "./budgets";
import { budgetMonthAt } from "@/lib/budgets";
import { updateBudgetInput } from "@/lib/schemas/budgets";

const { db } = openTestDatabase();
const sent: string[] = [];
const dispatcher: RunDispatcher = {
  send: (events) => {
    const ids = (Array.isArray(events) ? events : [events]).map((event) => event.id ?? "");
    sent.push(...ids);
    return Promise.resolve({ ids });
  },
};
const deps: RunServiceDeps = { db, dispatcher };

type World = Awaited<ReturnType<typeof createTenantWithSkill>>;

/**
 * A finished run of the world's skill: `inputTokens` at openai:gpt-4.1-mini ($0.40 per million
 * input tokens, the tests' deployment default) is its estimate; `costUsd` what it counts against
 * the budget.
 */
async function pastRun(
  world: World,
  run: { inputTokens?: number; costUsd: string; status?: RunStatus; createdAt?: Date },
) {
  await db.insert(skillRuns).values({
    tenantId: world.tenant.id,
    skillId: world.skill.id,
    skillVersion: "v1",
    agentId: world.agent.id,
    source: "manual",
    inputs: {},
    status: run.status ?? "complete",
    inputTokens: run.inputTokens ?? 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: run.costUsd,
    ...(run.createdAt ? { createdAt: run.createdAt } : {}),
  });
}

async function budget(
  world: World,
  limits: { soft?: string | null; hard?: string | null; timezone?: string },
) {
  await db.insert(tenantBudgets).values({
    tenantId: world.tenant.id,
    softLimitUsd: limits.soft ?? null,
    hardLimitUsd: limits.hard ?? null,
    timezone: limits.timezone ?? "UTC",
  });
}

const start = (world: World): StartRunInput => ({
  tenantId: world.tenant.id,
  skill: { id: world.skill.id },
  inputs: {},
  source: "api",
});

const runsOf = (world: World) =>
  db.select().from(skillRuns).where(eq(skillRuns.tenantId, world.tenant.id));

/** Three complete runs of $0.10 each (250,000 input tokens): spent $0.30, a run's estimate $0.10. */
async function worldWithHistory() {
  const world = await createTenantWithSkill(db);
  for (let index = 0; index < 3; index++)
    await pastRun(world, { inputTokens: 250_000, costUsd: "0.100000" });
  return world;
}

/** A promise the test opens. */
function latch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("the monthly hard limit", () => {
  it("refuses a start when the month's spend is exactly at the limit, and creates nothing", async () => {
    const world = await worldWithHistory();
    await budget(world, { hard: "0.300000" });
    const before = await runsOf(world);

    const refusal = await startRun(deps, start(world)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BudgetExceededError);
    expect(refusal).toMatchObject({ code: "budget_exceeded", kind: "precondition" });
    expect((refusal as Error).message).toMatch(
      /monthly budget is used up: \$0\.300 of its \$0\.300 hard limit .* New runs start again on 1 /,
    );
    expect(await runsOf(world)).toEqual(before);
  });

  it("admits a run whose estimate lands exactly on the limit, reserves it, and refuses the next", async () => {
    const world = await worldWithHistory();
    await budget(world, { hard: "0.400000" });

    const { run, created } = await startRun(deps, start(world));
    expect(created).toBe(true);
    const [row] = await db.select().from(skillRuns).where(eq(skillRuns.id, run.id));
    expect(row?.reservedCostUsd).toBe("0.100000");
    await expect(startRun(deps, start(world))).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it("admits at most what fits when many starts race at the limit", async () => {
    const world = await worldWithHistory();
    // $0.30 spent, $0.10 a run: seven more fit under $1.00.
    await budget(world, { hard: "1.000000" });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => startRun(deps, start(world))),
    );
    const started = results.filter((result) => result.status === "fulfilled");
    const refused = results.flatMap((result) =>
      result.status === "rejected" ? [result.reason as unknown] : [],
    );
    expect(started).toHaveLength(7);
    expect(refused).toHaveLength(5);
    expect(refused.every((error) => error instanceof BudgetExceededError)).toBe(true);
    expect(await monthSpendMicros(db, world.tenant.id, budgetMonthAt("UTC", new Date()))).toBe(
      1_000_000,
    );
  });

  it("reserves a long turn for a skill without history, so concurrent first starts do not all pass", async () => {
    const world = await createTenantWithSkill(db);
    // No history: 100,000 in + 10,000 out at openai:gpt-4.1-mini is $0.056; one fits under $0.10.
    await budget(world, { hard: "0.100000" });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => startRun(deps, start(world))),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const runs = await runsOf(world);
    expect(runs.map((run) => run.reservedCostUsd)).toEqual(["0.056000"]);
  });

  it("checks a start against the limit saved while it waited for the tenant's lock", async () => {
    const world = await worldWithHistory();
    await budget(world, { hard: "10.000000" });
    const locked = latch();
    const release = latch();
    const holder = db.transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`skillrun:budget:${world.tenant.id}`}, 0))`,
      );
      locked.open();
      await release.opened;
    });
    await locked.opened;
    const starting = startRun(deps, start(world)).catch((error: unknown) => error);
    // The start has read the $10 limit and now waits for the lock.
    for (;;) {
      const waiting = await db.execute<{ count: number }>(
        sql`select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`,
      );
      if (waiting[0]?.count) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await db
      .update(tenantBudgets)
      .set({ hardLimitUsd: "0.300000" })
      .where(eq(tenantBudgets.tenantId, world.tenant.id));
    release.open();
    await holder;
    expect(await starting).toBeInstanceOf(BudgetExceededError);
    expect(await runsOf(world)).toHaveLength(3);
  });

  it("counts a finished run's cost instead of its reservation, and nothing for an unbudgeted tenant", async () => {
    const world = await worldWithHistory();
    const { run } = await startRun(deps, start(world));
    const [unbudgeted] = await db.select().from(skillRuns).where(eq(skillRuns.id, run.id));
    expect(unbudgeted?.reservedCostUsd).toBeNull();

    await budget(world, { hard: "10.000000" });
    const budgeted = await startRun(deps, start(world));
    const month = budgetMonthAt("UTC", new Date());
    expect(await monthSpendMicros(db, world.tenant.id, month)).toBe(400_000);
    await db
      .update(skillRuns)
      .set({ status: "complete", costUsd: "0.025000" })
      .where(eq(skillRuns.id, budgeted.run.id));
    expect(await monthSpendMicros(db, world.tenant.id, month)).toBe(325_000);
  });
});

describe("the soft limit", () => {
  it("records its crossing once a month when a start reaches it, and the status says so", async () => {
    const world = await worldWithHistory();
    await budget(world, { soft: "0.350000", hard: "5.000000" });
    expect((await getBudgetStatus(db, world.tenant.id)).overSoftLimit).toBe(false);

    await startRun(deps, start(world));
    await startRun(deps, start(world));
    const crossings = await db
      .select()
      .from(budgetThresholdCrossings)
      .where(eq(budgetThresholdCrossings.tenantId, world.tenant.id));
    expect(crossings).toEqual([
      expect.objectContaining({
        threshold: "soft",
        month: budgetMonthAt("UTC", new Date()).label,
        limitUsd: "0.350000",
        spendUsd: "0.400000",
      }),
    ]);
    const status = await getBudgetStatus(db, world.tenant.id);
    expect(status).toMatchObject({ overSoftLimit: true, overHardLimit: false, spentUsd: 0.5 });
  });
});

describe("the budget month", () => {
  it("turns at local midnight in the budget's timezone, not in UTC", async () => {
    const world = await createTenantWithSkill(db);
    // 23:30 on 31 January in Berlin (22:30 UTC), and 00:30 on 1 February there (23:30 UTC).
    await pastRun(world, { costUsd: "0.500000", createdAt: new Date("2026-01-31T22:30:00Z") });
    await pastRun(world, { costUsd: "0.200000", createdAt: new Date("2026-01-31T23:30:00Z") });
    await budget(world, { hard: "0.600000", timezone: "Europe/Berlin" });

    const january = await getBudgetStatus(db, world.tenant.id, new Date("2026-01-31T22:59:59Z"));
    expect(january).toMatchObject({
      spentUsd: 0.5,
      overHardLimit: false,
      month: { label: "2026-01", end: new Date("2026-01-31T23:00:00Z") },
    });
    const february = await getBudgetStatus(db, world.tenant.id, new Date("2026-02-10T12:00:00Z"));
    expect(february).toMatchObject({
      spentUsd: 0.2,
      month: { label: "2026-02", start: new Date("2026-01-31T23:00:00Z") },
    });

    await db
      .update(tenantBudgets)
      .set({ timezone: "UTC" })
      .where(eq(tenantBudgets.tenantId, world.tenant.id));
    const utc = await getBudgetStatus(db, world.tenant.id, new Date("2026-01-31T23:45:00Z"));
    expect(utc).toMatchObject({ spentUsd: 0.7, overHardLimit: true, month: { label: "2026-01" } });
  });

  it("starts a new month with nothing spent: last month's runs do not count", async () => {
    const world = await createTenantWithSkill(db);
    const lastMonth = budgetMonthAt("America/New_York", new Date()).start;
    await pastRun(world, {
      inputTokens: 250_000,
      costUsd: "9.000000",
      createdAt: new Date(lastMonth.getTime() - 1),
    });
    await budget(world, { hard: "1.000000", timezone: "America/New_York" });
    const { created } = await startRun(deps, start(world));
    expect(created).toBe(true);
    const [crossing] = await db
      .select()
      .from(budgetThresholdCrossings)
      .where(
        and(
          eq(budgetThresholdCrossings.tenantId, world.tenant.id),
          eq(budgetThresholdCrossings.threshold, "hard"),
        ),
      );
    expect(crossing).toBeUndefined();
  });
});

describe("updateBudget", () => {
  it("refuses a limit the column cannot hold as a field error, and saves the largest it can", async () => {
    const world = await createTenantWithSkill(db);
    const tooLarge = updateBudgetInput.safeParse({
      softLimitUsd: null,
      hardLimitUsd: 100_000_000,
      timezone: "UTC",
    });
    expect(tooLarge.success).toBe(false);
    expect(tooLarge.error?.issues).toEqual([
      expect.objectContaining({ path: ["hardLimitUsd"], message: "must be below 100,000,000" }),
    ]);
    const largest = updateBudgetInput.parse({
      softLimitUsd: 99_999_999.999999,
      hardLimitUsd: 99_999_999.999999,
      timezone: "UTC",
    });
    await updateBudget(db, world.tenant.id, largest, {
      actor: { type: "user", id: null },
      origin: null,
    });
    const [saved] = await db
      .select()
      .from(tenantBudgets)
      .where(eq(tenantBudgets.tenantId, world.tenant.id));
    expect(saved?.hardLimitUsd).toBe("99999999.999999");
  });

  it("saves the limits and zone with an audit entry of what changed, and refuses an unknown zone", async () => {
    const world = await createTenantWithSkill(db);
    const audit = { actor: { type: "user" as const, id: null }, origin: null };
    await updateBudget(
      db,
      world.tenant.id,
      { softLimitUsd: 20, hardLimitUsd: 50, timezone: "Europe/Berlin" },
      audit,
    );
    await updateBudget(
      db,
      world.tenant.id,
      { softLimitUsd: 20, hardLimitUsd: null, timezone: "Europe/Berlin" },
      audit,
    );
    const entries = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, world.tenant.id), eq(auditLog.action, "budget.update")))
      .orderBy(auditLog.at);
    expect(entries.map((entry) => entry.metadata)).toEqual([
      {
        changes: [
          { field: "Soft limit (USD)", before: null, after: "$20.00" },
          { field: "Hard limit (USD)", before: null, after: "$50.00" },
          { field: "Timezone", before: null, after: "Europe/Berlin" },
        ],
      },
      { changes: [{ field: "Hard limit (USD)", before: "$50.00", after: null }] },
    ]);
    expect((await getBudgetStatus(db, world.tenant.id)).budget).toEqual({
      softLimitUsd: 20,
      hardLimitUsd: null,
      timezone: "Europe/Berlin",
    });

    await expect(
      updateBudget(
        db,
        world.tenant.id,
        { softLimitUsd: 1, hardLimitUsd: 2, timezone: "Mars/Olympus" },
        audit,
      ),
    ).rejects.toMatchObject({
      code: "budget_invalid",
      fieldErrors: { timezone: ['"Mars/Olympus" is not an IANA timezone'] },
    });
  });
});
