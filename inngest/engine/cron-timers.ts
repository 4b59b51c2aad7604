/**
 * The armed cron ticks: one timer per function and expression, in memory only (the engine
 * re-arms them from the `crons` table at start and at each sync).
 */
export class CronTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Fires `fire` once after `delayMs` (clamped to what `setTimeout` allows), replacing an armed tick. */
  arm(slug: string, expression: string, delayMs: number, fire: () => void): void {
    this.cancel(slug, expression);
    this.set(slug, expression, delayMs, fire);
  }

  /** Like `arm`, but leaves a tick armed meanwhile to fire too (a failed tick's retry). */
  set(slug: string, expression: string, delayMs: number, fire: () => void): void {
    const key = `${slug}|${expression}`;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        fire();
      },
      Math.min(Math.max(delayMs, 0), 2_147_000_000),
    );
    this.timers.set(key, timer);
  }

  cancel(slug: string, expression: string): void {
    clearTimeout(this.timers.get(`${slug}|${expression}`));
  }

  /** Disarms the ticks of the functions `matches` selects. */
  disarm(matches: (slug: string) => boolean): void {
    for (const [key, timer] of this.timers) {
      const [slug] = key.split("|");
      if (slug && matches(slug)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
