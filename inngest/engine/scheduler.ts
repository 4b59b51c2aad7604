import type { QueueItem, RunState } from "./engine-types";

/**
 * A concurrency key's slots. Items waiting for one go runs under way first (a step of theirs
 * has completed), then runs not started, each by the run's age (`seq`), not by arrival: the
 * next step of a run under way goes before any first step, as the Inngest server scores a
 * run's later steps by the run's start. Arrival order instead lets every queued run take its
 * first step before any run takes its second, so a backlog of N runs under a limit of L has
 * all N part-way through (the app marks them `running` on the first step) and none finishes
 * until nearly all have been started. Age alone is not enough: an older run held back by a
 * second key would cut in ahead of a younger one already under way.
 */
export type Semaphore = { active: number; waiting: { item: QueueItem; rank: WaitRank }[] };
/**
 * [0 when the run is under way, else 1; its priority score; its seq]: lower goes first. The
 * score is the run's enqueue time less its `priority.run` factor (flow-priority.ts), so a run
 * with a factor of N s goes before runs enqueued up to N s earlier; without one it is age.
 */
export type WaitRank = readonly [number, number, number];

export function waitRank(run: RunState): WaitRank {
  return [run.stack.length > 0 ? 0 : 1, run.priorityScore, run.seq];
}

export function ranksAfter(a: WaitRank, b: WaitRank): boolean {
  if (a[0] !== b[0]) return a[0] > b[0];
  return a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];
}
