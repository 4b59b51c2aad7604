/**
 * Chaos 5: a cancel racing the run's completion, 500 times → each run has exactly one
 * terminal state, the one the cancel call reported is never overwritten, and the timeline
 * agrees (one terminal event, of the final status, nothing after it).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ChaosWorld,
  countBy,
  eventually,
  scriptKeyOf,
  timelineProblems,
  TERMINAL,
} from "./harness";

const TRIALS = 500;
/** Trials in flight at once; the tenant's limit lets them all run. */
const WAVE = 50;
let world: ChaosWorld;

beforeAll(async () => {
  world = await ChaosWorld.create("cancel-race");
  await world.startLauncher({ SKILLRUN_RUN_CONCURRENCY: "100", RUN_STALE_AFTER_SECONDS: "60" });
});
afterAll(async () => {
  await world?.cleanup();
});

type Trial = {
  runId: string;
  key: string;
  cancelAfterMs: number;
  cancel: { status: number; reported?: string };
};

test(`cancel racing completion, ${TRIALS} trials: one terminal state each, never overwritten, timeline agrees`, async () => {
  const tenant = await world.tenantWithKey("acme");

  // Calibration: how long a start takes to complete here, uncancelled and a wave at a time,
  // so the cancels spread over the whole life of a run (queued, running, finishing, done).
  const calibrationStarts = await Promise.all(
    Array.from({ length: WAVE }, async () => {
      const key = await world.script("c5cal", [{ text: "# Calibration", delayMs: 50 }]);
      const startedAt = Date.now();
      const { id } = await world.startRun(tenant.key, key);
      return { id: id!, startedAt };
    }),
  );
  // One poll for the whole wave: a poll per run every 20 ms loaded the machine it measured.
  const completedAt = new Map<string, number>();
  await eventually(
    "the calibration runs to complete",
    async () => {
      const pending = calibrationStarts.filter(({ id }) => !completedAt.has(id));
      for (const run of await world.runs(pending.map(({ id }) => id)))
        if (run.status === "complete") completedAt.set(run.id, Date.now());
      return completedAt.size === calibrationStarts.length;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
  const calibration = calibrationStarts.map(
    ({ id, startedAt }) => completedAt.get(id)! - startedAt,
  );
  const lifetimeMs = calibration.sort((a, b) => a - b)[Math.floor(calibration.length / 2)]!;
  console.log(
    `[chaos 5] a run completes ~${lifetimeMs} ms after its start; cancels land in 0…${Math.round(lifetimeMs * 1.5)} ms`,
  );

  const trials: Trial[] = [];
  for (let wave = 0; wave < TRIALS / WAVE; wave += 1) {
    trials.push(
      ...(await Promise.all(
        Array.from({ length: WAVE }, async () => {
          const key = await world.script("c5", [
            { text: "# Done\n\nThe answer.", delayMs: Math.floor(Math.random() * 100) },
          ]);
          const cancelAfterMs = Math.floor(Math.random() * lifetimeMs * 1.5);
          const started = await world.startRun(tenant.key, key);
          expect(started.status, started.body).toBe(201);
          await sleep(cancelAfterMs);
          const answer = await world.cancelRun(tenant.key, started.id!);
          const reported =
            answer.status === 200
              ? (JSON.parse(answer.body) as { status: string }).status
              : undefined;
          return {
            runId: started.id!,
            key,
            cancelAfterMs,
            cancel: { status: answer.status, reported },
          };
        }),
      )),
    );
  }

  const ids = trials.map((trial) => trial.runId);
  const runs = await eventually(
    "every trial's run to be terminal",
    async () => {
      const rows = await world.runs(ids);
      return rows.every((run) => (TERMINAL as readonly string[]).includes(run.status)) && rows;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  const byId = new Map(runs.map((run) => [run.id, run]));
  console.log(
    `[chaos 5] cancel answers: ${JSON.stringify(countBy(trials, (trial) => `${trial.cancel.status}`))}; final states: ${JSON.stringify(countBy(runs, (run) => `${run.status}${run.failureCode ? `/${run.failureCode}` : ""}`))}`,
  );

  const problems: string[] = [];
  for (const trial of trials) {
    const run = byId.get(trial.runId)!;
    // 200: the cancel won, and nothing may overwrite it; 409: the run was already terminal.
    if (
      trial.cancel.status === 200 &&
      (trial.cancel.reported !== "cancelled" || run.status !== "cancelled")
    ) {
      problems.push(`${run.id}: cancel answered ${trial.cancel.reported}, run ended ${run.status}`);
    }
    if (trial.cancel.status === 409 && run.status === "cancelled")
      problems.push(`${run.id}: cancel refused (409) but the run is cancelled`);
    if (trial.cancel.status !== 200 && trial.cancel.status !== 409)
      problems.push(`${run.id}: cancel answered HTTP ${trial.cancel.status}`);
    if (run.status === "complete" && !run.deliverable)
      problems.push(`${run.id}: complete without a deliverable`);
    if (run.status === "cancelled" && run.deliverable)
      problems.push(`${run.id}: cancelled but carries a deliverable`);
    if (run.status === "failed")
      problems.push(`${run.id}: failed (${run.failureCode}) though no fault was injected`);
    if (!run.finishedAt) problems.push(`${run.id}: ${run.status} without finishedAt`);
  }
  expect(problems).toEqual([]);
  expect(await timelineProblems(world, runs)).toEqual([]);

  // A turn is never run twice, cancelled or not.
  const calls = await Promise.all(
    runs.map(async (run) => ({
      run: run.id,
      calls: (await world.calls(scriptKeyOf(run.inputs)!)).calls,
    })),
  );
  expect(calls.filter((entry) => entry.calls > 1)).toEqual([]);

  // The trials did race: both sides won some (else the case tested nothing).
  const outcomes = countBy(runs, (run) => run.status);
  expect(outcomes.cancelled ?? 0).toBeGreaterThan(0);
  expect(outcomes.complete ?? 0).toBeGreaterThan(0);
});
