import { asc, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runEvents, skillRuns } from "@/server/db/schema";
import type { FailureCode, RunStatus } from "@/server/db/schema/enums";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { reconcileRuns, type ReconcileOptions } from "./reconcile";
import { DispatchFailedError, RunNotCancellableError } from "./run-errors";
import { ZERO_USAGE } from "@/server/agent/usage";
import { claimTurn, completeRun, failRun, markRunning } from "./run-lifecycle";
import { cancelRun, failQueuedRun, startRun, type RunDispatcher } from "./runs";

/**
 * Model-based property: random interleavings of the real lifecycle services over several runs
 * (start, mark running, claim the turn, complete, fail, fail while queued, cancel, reconcile at
 * a later clock, and two transitions racing on one run) keep the database equal to a model of
 * the contract in DESIGN.md, and after every command: a terminal status never changes, the
 * timeline holds exactly one terminal event for a terminal run (none otherwise) and it agrees
 * with the status, and terminal runs have finished_at.
 */

const { db } = openTestDatabase();
/** FC_SEED (and FC_PATH) from a failure report replay that failure. */
const replay = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};

const TERMINAL: readonly RunStatus[] = ["complete", "failed", "cancelled"];
const MINUTE = 60_000;
const OPTIONS: ReconcileOptions = {
  staleRunningMs: 15 * MINUTE,
  dispatchRetryMs: 2 * MINUTE,
  dispatchLostMs: 10 * MINUTE,
  batchSize: 10_000,
};

const recording: RunDispatcher = {
  send: async (events) => ({
    ids: (Array.isArray(events) ? events : [events]).map((event) => event.id ?? ""),
  }),
};
const unreachable: RunDispatcher = {
  send: async () => {
    throw new Error("engine unreachable");
  },
};
const deps = { db, dispatcher: recording };

type ModelRun = {
  id: string;
  status: RunStatus;
  failureCode: FailureCode | null;
  claimed: boolean;
  resent: boolean;
};
type Model = { runs: ModelRun[] };
type Real = { tenantId: string; skillId: string; seen: Map<string, RunStatus> };
type Transition = "markRunning" | "claimTurn" | "complete" | "fail" | "failQueued" | "cancel";

const ref = (real: Real, run: ModelRun) => ({ runId: run.id, tenantId: real.tenantId });

/** What a transition does to a run in the model: whether it applies, and the run after it. */
function apply(
  run: ModelRun,
  transition: Transition,
  code: FailureCode,
): { applies: boolean; after: ModelRun } {
  const to = (patch: Partial<ModelRun>) => ({ applies: true, after: { ...run, ...patch } });
  const no = { applies: false, after: run };
  switch (transition) {
    case "markRunning":
      return run.status === "queued" ? to({ status: "running" }) : no;
    case "claimTurn":
      return run.status === "running" && !run.claimed ? to({ claimed: true }) : no;
    case "complete":
      return run.status === "running" ? to({ status: "complete" }) : no;
    case "fail":
      return run.status === "running" || run.status === "queued"
        ? to({ status: "failed", failureCode: code })
        : no;
    case "failQueued":
      return run.status === "queued" ? to({ status: "failed", failureCode: code }) : no;
    case "cancel":
      return run.status === "queued" || run.status === "running" ? to({ status: "cancelled" }) : no;
  }
}

/** Runs a transition through the real service; true when it happened. */
async function perform(
  real: Real,
  run: ModelRun,
  transition: Transition,
  code: FailureCode,
): Promise<boolean> {
  switch (transition) {
    case "markRunning":
      return markRunning(db, ref(real, run));
    case "claimTurn":
      return claimTurn(db, ref(real, run));
    case "complete":
      return completeRun(db, ref(real, run), { markdown: "# Done", usage: ZERO_USAGE });
    case "fail":
      return failRun(db, ref(real, run), { code, reason: `failed with ${code}` });
    case "failQueued":
      return failQueuedRun(db, {
        ...ref(real, run),
        failureCode: code,
        reason: `failed with ${code}`,
      });
    case "cancel":
      try {
        await cancelRun(deps, ref(real, run));
        return true;
      } catch (error) {
        if (error instanceof RunNotCancellableError) return false;
        throw error;
      }
  }
}

/** The invariants, checked against the database after every command. */
async function verify(model: Model, real: Real) {
  const ids = model.runs.map((run) => run.id);
  if (!ids.length) return;
  const rows = await db.select().from(skillRuns).where(inArray(skillRuns.id, ids));
  const events = await db
    .select({ runId: runEvents.runId, type: runEvents.type, payload: runEvents.payload })
    .from(runEvents)
    .where(inArray(runEvents.runId, ids))
    .orderBy(asc(runEvents.id));
  for (const run of model.runs) {
    const row = rows.find((candidate) => candidate.id === run.id);
    expect(row, `run ${run.id}`).toBeDefined();
    const timeline = events.filter((event) => event.runId === run.id);
    const terminalEvents = timeline.filter((event) => TERMINAL.includes(event.type as RunStatus));
    const previous = real.seen.get(run.id);
    // A terminal status never changes.
    if (previous && TERMINAL.includes(previous)) expect(row!.status).toBe(previous);
    real.seen.set(run.id, row!.status);
    expect({
      status: row!.status,
      failureCode: row!.failureCode,
      claimed: row!.turnStartedAt !== null,
      terminalEvents: terminalEvents.map((event) => event.type),
      finished: row!.finishedAt !== null,
      first: timeline[0]?.type,
      resent: timeline.filter((event) => event.type === "dispatch_resent").length,
    }).toEqual({
      status: run.status,
      failureCode: run.status === "failed" ? run.failureCode : null,
      claimed: run.claimed,
      // At most one terminal event, exactly one for a terminal run, of the run's status.
      terminalEvents: TERMINAL.includes(run.status) ? [run.status] : [],
      finished: TERMINAL.includes(run.status),
      first: "queued",
      resent: run.resent ? 1 : 0,
    });
    if (run.status === "failed")
      expect(terminalEvents[0]!.payload).toMatchObject({ failureCode: run.failureCode });
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

class StartCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly dispatchFails: boolean) {}
  check = (model: Readonly<Model>) => model.runs.length < 5;
  async run(model: Model, real: Real) {
    const input = {
      tenantId: real.tenantId,
      skill: { id: real.skillId },
      inputs: {},
      source: "manual" as const,
    };
    if (this.dispatchFails) {
      // A failed send fails the run visibly (dispatch_failed) and the caller gets the error.
      const error = await startRun({ db, dispatcher: unreachable }, input).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DispatchFailedError);
      model.runs.push({
        id: (error as DispatchFailedError).runId,
        status: "failed",
        failureCode: "dispatch_failed",
        claimed: false,
        resent: false,
      });
    } else {
      const { run, created } = await startRun(deps, input);
      expect({ created, status: run.status }).toEqual({ created: true, status: "queued" });
      model.runs.push({
        id: run.id,
        status: "queued",
        failureCode: null,
        claimed: false,
        resent: false,
      });
    }
    await verify(model, real);
  }
  toString = () => `start(${this.dispatchFails ? "dispatch fails" : "ok"})`;
}

class TransitionCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly transition: Transition,
    readonly code: FailureCode,
  ) {}
  check = (model: Readonly<Model>) => model.runs.length > 0;
  async run(model: Model, real: Real) {
    const index = this.pick % model.runs.length;
    const run = model.runs[index]!;
    const { applies, after } = apply(run, this.transition, this.code);
    expect({
      command: this.toString(),
      from: run.status,
      happened: await perform(real, run, this.transition, this.code),
    }).toEqual({ command: this.toString(), from: run.status, happened: applies });
    model.runs[index] = after;
    await verify(model, real);
  }
  toString = () =>
    `${this.transition}(run ${this.pick}${this.transition.startsWith("fail") ? `, ${this.code}` : ""})`;
}

/** Two transitions on one run at once: at most one of two conflicting ones happens. */
class RaceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly first: Transition,
    readonly second: Transition,
  ) {}
  check = (model: Readonly<Model>) => model.runs.length > 0;
  async run(model: Model, real: Real) {
    const index = this.pick % model.runs.length;
    const run = model.runs[index]!;
    const [a, b] = await Promise.all([
      perform(real, run, this.first, "model_error"),
      perform(real, run, this.second, "timeout"),
    ]);
    // Whichever committed first is the one the model applies; the other then runs against its result.
    const orders = [
      [this.first, "model_error", a, this.second, "timeout", b],
      [this.second, "timeout", b, this.first, "model_error", a],
    ] as const;
    const outcomes = orders.flatMap(([t1, c1, h1, t2, c2, h2]) => {
      const one = apply(run, t1, c1);
      const two = apply(one.after, t2, c2);
      return one.applies === h1 && two.applies === h2 ? [two.after] : [];
    });
    expect(
      outcomes.length,
      `${this.toString()} from ${run.status}: results ${a}, ${b} fit no order`,
    ).toBeGreaterThan(0);
    // Both orders can fit the results (e.g. neither applied); the database decides between them.
    const [row] = await db
      .select({
        status: skillRuns.status,
        failureCode: skillRuns.failureCode,
        turnStartedAt: skillRuns.turnStartedAt,
      })
      .from(skillRuns)
      .where(eq(skillRuns.id, run.id));
    const chosen =
      outcomes.find(
        (outcome) =>
          outcome.status === row!.status &&
          outcome.claimed === (row!.turnStartedAt !== null) &&
          (outcome.status !== "failed" || outcome.failureCode === row!.failureCode),
      ) ?? outcomes[0]!;
    model.runs[index] = chosen;
    await verify(model, real);
  }
  toString = () => `race(run ${this.pick}: ${this.first} ∥ ${this.second})`;
}

/**
 * The reconciler's steps as they see a run long past every cutoff: stale running runs fail,
 * queued runs resent before fail as lost, the others are resent.
 */
const reconcileSteps = {
  stale: (run: ModelRun): ModelRun =>
    run.status === "running" ? { ...run, status: "failed", failureCode: "stale_running" } : run,
  lost: (run: ModelRun): ModelRun =>
    run.status === "queued" && run.resent
      ? { ...run, status: "failed", failureCode: "dispatch_lost" }
      : run,
  resent: (run: ModelRun): ModelRun =>
    run.status === "queued" && !run.resent ? { ...run, resent: true } : run,
};
type ReconcileStep = keyof typeof reconcileSteps;
const STEP_ORDER: readonly ReconcileStep[] = ["stale", "lost", "resent"];
const tick = (run: ModelRun) =>
  STEP_ORDER.reduce((after, step) => reconcileSteps[step](after), run);

/**
 * A transition racing a reconciler tick 20 minutes later (past every cutoff). The tick's steps
 * are statements of their own, so the transition can land before any of them, between two, or
 * after the last. While the transition holds the run's row (from its update to its commit),
 * a step skips the run (SKIP LOCKED) and may see it again only after the commit.
 */
class RaceReconcileCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly transition: Transition,
  ) {}
  check = (model: Readonly<Model>) => model.runs.length > 0;
  async run(model: Model, real: Real) {
    const index = this.pick % model.runs.length;
    const run = model.runs[index]!;
    const [happened, result] = await Promise.all([
      perform(real, run, this.transition, "model_error"),
      reconcileRuns(deps, OPTIONS, new Date(Date.now() + 20 * MINUTE)),
    ]);
    // Steps [0, from) run before the transition, [from, to) meet its lock, [to, end) run after.
    const spans = Array.from({ length: STEP_ORDER.length + 1 }, (_, from) =>
      Array.from(
        { length: STEP_ORDER.length + 1 - from },
        (__, width) => [from, from + width] as const,
      ),
    ).flat();
    const interleavings = spans
      .map(([from, to]) => {
        const changed = new Set<ReconcileStep>();
        const runStep = (current: ModelRun, step: ReconcileStep) => {
          const after = reconcileSteps[step](current);
          if (after !== current) changed.add(step);
          return after;
        };
        const before = STEP_ORDER.slice(0, from).reduce(runStep, run);
        const step = apply(before, this.transition, "model_error");
        // Only a transition that happened took the row's lock.
        if (!step.applies && to > from) return null;
        const after = STEP_ORDER.slice(to).reduce(runStep, step.after);
        return {
          happened: step.applies,
          stale: changed.has("stale"),
          lost: changed.has("lost"),
          resent: changed.has("resent"),
          after,
        };
      })
      .filter((outcome) => outcome !== null);
    const observed = {
      happened,
      stale: result.staleRunning.includes(run.id),
      lost: result.dispatchLost.includes(run.id),
      resent: result.resent.includes(run.id),
    };
    const fitting = interleavings.filter(
      (outcome) =>
        outcome.happened === observed.happened &&
        outcome.stale === observed.stale &&
        outcome.lost === observed.lost &&
        outcome.resent === observed.resent,
    );
    expect(
      fitting.length,
      `${this.toString()} from ${run.status}: ${JSON.stringify(observed)} fits no interleaving`,
    ).toBeGreaterThan(0);
    const [row] = await db
      .select({
        status: skillRuns.status,
        failureCode: skillRuns.failureCode,
        turnStartedAt: skillRuns.turnStartedAt,
      })
      .from(skillRuns)
      .where(eq(skillRuns.id, run.id));
    const chosen =
      fitting.find(
        ({ after }) =>
          after.status === row!.status &&
          after.claimed === (row!.turnStartedAt !== null) &&
          (after.status !== "failed" || after.failureCode === row!.failureCode),
      )?.after ?? fitting[0]!.after;
    // The other runs of the tenant are not racing: the tick treats them as the model says.
    model.runs = model.runs.map((other, otherIndex) =>
      otherIndex === index ? chosen : tick(other),
    );
    await verify(model, real);
  }
  toString = () => `race(run ${this.pick}: ${this.transition} ∥ reconcile(+20 min))`;
}

class ReconcileCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly minutesLater: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const now = new Date(Date.now() + this.minutesLater * MINUTE);
    const result = await reconcileRuns(deps, OPTIONS, now);
    // The sequence runs within seconds, so each cutoff is clearly before or after all its runs;
    // past the retry cutoff no run of the tenant has started recently, so its queue counts as stalled.
    const later = this.minutesLater * MINUTE;
    const before = model.runs;
    model.runs = before.map((run): ModelRun => {
      if (run.status === "running" && later > OPTIONS.staleRunningMs)
        return { ...run, status: "failed", failureCode: "stale_running" };
      // Lost only once resent (by an earlier tick: its event is older than the retry cutoff).
      if (run.status === "queued" && later > OPTIONS.dispatchLostMs && run.resent)
        return { ...run, status: "failed", failureCode: "dispatch_lost" };
      if (run.status === "queued" && later > OPTIONS.dispatchRetryMs && !run.resent)
        return { ...run, resent: true };
      return run;
    });
    const mine = (ids: string[]) => ids.filter((id) => before.some((run) => run.id === id)).sort();
    const changed = (pick: (before: ModelRun, after: ModelRun) => boolean) =>
      before
        .filter((run, index) => pick(run, model.runs[index]!))
        .map((run) => run.id)
        .sort();
    expect({
      staleRunning: mine(result.staleRunning),
      dispatchLost: mine(result.dispatchLost),
      resent: mine(result.resent),
    }).toEqual({
      staleRunning: changed(
        (_, after) => after.failureCode === "stale_running" && _.status === "running",
      ),
      dispatchLost: changed(
        (was, after) => was.status === "queued" && after.failureCode === "dispatch_lost",
      ),
      resent: changed((was, after) => !was.resent && after.resent),
    });
    await verify(model, real);
  }
  toString = () => `reconcile(+${this.minutesLater} min)`;
}

const transition = fc.constantFrom<Transition>(
  "markRunning",
  "markRunning",
  "claimTurn",
  "complete",
  "complete",
  "fail",
  "failQueued",
  "cancel",
);
const failureCode = fc.constantFrom<FailureCode>(
  "model_error",
  "timeout",
  "agent_crashed",
  "interrupted",
);
const start = fc
  .oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
  .map((fails) => new StartCommand(fails));
const step = fc
  .tuple(fc.nat(), transition, failureCode)
  .map(([pick, t, code]) => new TransitionCommand(pick, t, code));
// fc.commands picks among these uniformly: repeats weigh starts and single transitions up.
const commands = [
  start,
  start,
  step,
  step,
  step,
  fc
    .tuple(fc.nat(), transition, transition)
    .map(([pick, first, second]) => new RaceCommand(pick, first, second)),
  fc.constantFrom(0, 1, 3, 12, 20).map((minutes) => new ReconcileCommand(minutes)),
  fc.tuple(fc.nat(), transition).map(([pick, t]) => new RaceReconcileCommand(pick, t)),
];

describe("run lifecycle (model-based property)", () => {
  it("keeps every run equal to the model: terminal states never change, one terminal event each", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(commands, { maxCommands: 30, size: "max" }),
        async (sequence) => {
          const { tenant, skill } = await createTenantWithSkill(db);
          const real: Real = { tenantId: tenant.id, skillId: skill.id, seen: new Map() };
          await fc.asyncModelRun(() => ({ model: { runs: [] }, real }), sequence);
        },
      ),
      { numRuns: 100, ...replay },
    );
    // A hundred sequences of up to 30 commands against PostgreSQL: a hang guard, not a speed
    // check; with two test files per core on CI the default 30 s was reached with no failure.
  }, 180_000);
});
