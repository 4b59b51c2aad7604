/**
 * `throttle: { limit, period, burst?, key? }` with the Go server's GCRA (pkg/constraintapi,
 * helper/gcra.lua): runs start at most `limit` per `period`, evenly spaced (one every
 * period/limit), with up to `limit + burst` at once after a quiet spell. A run beyond that is
 * delayed, never dropped: it starts when the period allows. Throttle gates a run's start only;
 * its later steps are not throttled.
 */
import { parseDurationMs } from "./durations";
import { evaluateKey } from "./expressions";
import type { FunctionConfig, InngestEvent } from "./protocol";

export type ThrottleConfig = { limit: number; periodMs: number; burst: number; key?: string };

export function throttleConfigOf(config: FunctionConfig): ThrottleConfig | undefined {
  const raw = config.throttle;
  if (!raw || typeof raw !== "object") return undefined;
  const { limit, period, burst, key } = raw as Record<string, unknown>;
  const periodMs = typeof period === "string" ? parseDurationMs(period) : null;
  if (typeof limit !== "number" || limit < 1 || !periodMs || periodMs <= 0) return undefined;
  return {
    limit: Math.floor(limit),
    periodMs,
    burst: typeof burst === "number" && burst > 0 ? Math.floor(burst) : 0,
    ...(typeof key === "string" && key.trim() ? { key } : {}),
  };
}

/** The throttle bucket of a run of `slug` for `event`. */
export function throttleKey(slug: string, config: ThrottleConfig, event: InngestEvent): string {
  return config.key ? `${slug}\u0000${evaluateKey(config.key, { event })}` : slug;
}

/**
 * GCRA: each start pushes the key's theoretical arrival time (TAT) on by one emission interval
 * (period/limit); a start is allowed while the TAT stays within the tolerance of
 * `limit + burst` intervals ahead of now.
 */
export function gcra(
  tat: number | undefined,
  now: number,
  config: Pick<ThrottleConfig, "limit" | "periodMs" | "burst">,
): { allowed: true; tat: number } | { allowed: false; retryAt: number } {
  const emission = config.periodMs / Math.max(config.limit, 1);
  const tolerance = emission * (config.limit + config.burst);
  const next = Math.max(tat ?? now, now) + emission;
  const allowAt = next - tolerance;
  if (now < allowAt) return { allowed: false, retryAt: Math.ceil(allowAt) };
  return { allowed: true, tat: next };
}

type Waiter<T> = { item: T; rank: number };

/**
 * Per-key TAT and the run starts waiting on each key, in run order (`rank`, the run's seq):
 * a delayed start keeps its place, so throttled runs start in the order they were created.
 * In memory: a restart forgets the TATs, so up to `limit + burst` runs may start at once then.
 */
export class ThrottleGate<T> {
  private readonly tats = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter<T>[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onReady: (items: T[]) => void) {}

  /** Whether the start may go now; if not, it waits its turn and `onReady` hands it back. */
  admit(key: string, config: ThrottleConfig, item: T, rank: number, now = Date.now()): boolean {
    const queue = this.waiting.get(key);
    if (!queue?.length && this.take(key, config, now)) return true;
    const list = queue ?? [];
    let at = list.length;
    while (at > 0 && (list[at - 1]?.rank ?? 0) > rank) at--;
    list.splice(at, 0, { item, rank });
    this.waiting.set(key, list);
    this.arm(key, config, now);
    return false;
  }

  /** Drops waiting starts that match (their run ended). */
  drop(matches: (item: T) => boolean): void {
    for (const [key, list] of this.waiting) {
      const kept = list.filter((waiter) => !matches(waiter.item));
      if (kept.length > 0) this.waiting.set(key, kept);
      else {
        this.waiting.delete(key);
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
      }
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.waiting.clear();
  }

  waitingCount(): number {
    let count = 0;
    for (const list of this.waiting.values()) count += list.length;
    return count;
  }

  private take(key: string, config: ThrottleConfig, now: number): boolean {
    const verdict = gcra(this.tats.get(key), now, config);
    if (!verdict.allowed) return false;
    this.tats.set(key, verdict.tat);
    return true;
  }

  private arm(key: string, config: ThrottleConfig, now: number) {
    if (this.timers.has(key)) return;
    const verdict = gcra(this.tats.get(key), now, config);
    const delayMs = verdict.allowed ? 0 : Math.max(verdict.retryAt - now, 1);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const list = this.waiting.get(key) ?? [];
      const ready: T[] = [];
      while (list.length > 0 && this.take(key, config, Date.now())) {
        const next = list.shift();
        if (next) ready.push(next.item);
      }
      if (list.length === 0) this.waiting.delete(key);
      else this.arm(key, config, Date.now());
      if (ready.length > 0) this.onReady(ready);
    }, delayMs);
    this.timers.set(key, timer);
  }
}
