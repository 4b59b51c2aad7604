import { parseDurationMs } from "./durations";
import type { FunctionConfig } from "./protocol";

/**
 * `timeouts.start` / `timeouts.finish` as the Go server applies them: `start` is the longest a
 * run may wait from being enqueued until its first SDK request begins (time spent waiting for
 * concurrency counts); `finish` the longest from that first request to the run's end. A run past
 * either is cancelled like any other cancellation (`function.cancelled`, no `onFailure`).
 */
export type TimeoutKind = "start" | "finish";
export type TimeoutLimits = { startMs: number | null; finishMs: number | null };

const NO_LIMITS: TimeoutLimits = { startMs: null, finishMs: null };

function limitMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = parseDurationMs(value);
  return ms !== null && ms > 0 ? ms : null;
}

/** The function's limits; a missing, empty, zero or unparsable duration is no limit (as in Go). */
export function timeoutLimitsOf(config: FunctionConfig): TimeoutLimits {
  const timeouts = config.timeouts;
  if (!timeouts || typeof timeouts !== "object") return NO_LIMITS;
  const { start, finish } = timeouts as { start?: unknown; finish?: unknown };
  return { startMs: limitMs(start), finishMs: limitMs(finish) };
}

export function hasTimeouts(limits: TimeoutLimits): boolean {
  return limits.startMs !== null || limits.finishMs !== null;
}

/** Past its start limit: a run not yet started, enqueued at `enqueuedAt`. */
export function startExpired(limits: TimeoutLimits, enqueuedAt: number, now: number): boolean {
  return limits.startMs !== null && now - enqueuedAt > limits.startMs;
}

/** setTimeout's ceiling; a longer deadline is re-armed when the timer fires early. */
const MAX_TIMER_MS = 2_147_000_000;

type Deadlines = { start?: NodeJS.Timeout; finish?: NodeJS.Timeout; started: boolean };

/**
 * The in-memory deadlines of the runs in motion: a start timer while a run waits, replaced by a
 * finish timer once its first request begins. `onExpired` is told when one passes; it checks
 * the run again, so a timer that outlives its run does nothing.
 */
export class RunDeadlines {
  private readonly runs = new Map<string, Deadlines>();

  constructor(private readonly onExpired: (runId: string, kind: TimeoutKind) => void) {}

  /** A run not yet started: its start deadline counts from its enqueue. */
  waiting(runId: string, limits: TimeoutLimits, enqueuedAt: number) {
    if (limits.startMs === null || this.runs.get(runId)?.started) return;
    const deadlines = this.entry(runId);
    clearTimeout(deadlines.start);
    deadlines.start = this.arm(runId, "start", enqueuedAt + limits.startMs);
  }

  /**
   * The run's first request begins (or, after a restart, it was already under way): its start
   * deadline no longer applies and its finish deadline counts from `startedAt`. Once per run.
   */
  started(runId: string, limits: TimeoutLimits, startedAt: number) {
    const deadlines = this.runs.get(runId);
    if (deadlines?.started) return;
    if (deadlines) clearTimeout(deadlines.start);
    if (limits.finishMs === null) {
      // Remembered only to know it started; nothing more to time.
      this.runs.set(runId, { started: true });
      return;
    }
    this.runs.set(runId, {
      started: true,
      finish: this.arm(runId, "finish", startedAt + limits.finishMs),
    });
  }

  isStarted(runId: string): boolean {
    return this.runs.get(runId)?.started ?? false;
  }

  /** The run ended: its timers go. */
  forget(runId: string) {
    const deadlines = this.runs.get(runId);
    if (!deadlines) return;
    clearTimeout(deadlines.start);
    clearTimeout(deadlines.finish);
    this.runs.delete(runId);
  }

  clear() {
    for (const runId of [...this.runs.keys()]) this.forget(runId);
  }

  private entry(runId: string): Deadlines {
    const existing = this.runs.get(runId);
    if (existing) return existing;
    const created: Deadlines = { started: false };
    this.runs.set(runId, created);
    return created;
  }

  private arm(runId: string, kind: TimeoutKind, deadline: number): NodeJS.Timeout {
    const delay = Math.max(deadline - Date.now(), 0);
    const timer = setTimeout(
      () => {
        const deadlines = this.runs.get(runId);
        if (!deadlines || deadlines[kind] !== timer) return;
        if (Date.now() < deadline) {
          deadlines[kind] = this.arm(runId, kind, deadline);
          return;
        }
        deadlines[kind] = undefined;
        this.onExpired(runId, kind);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    return timer;
  }
}
