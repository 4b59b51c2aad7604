/**
 * `singleton: { key?, mode }`, as the Go server runs it (pkg/execution/singleton): at most one
 * run of a function per key at a time. A new run whose key is held is dropped (`skip`: the
 * server records it as skipped, never queues it) or replaces the holder (`cancel`: the holder is
 * cancelled like any cancellation, then the new run starts). A key expression that evaluates to
 * `false` makes that run no singleton; one that fails to evaluate is ignored (Go logs and runs).
 */
import { compileExpression } from "./expressions";
import type { FunctionConfig, InngestEvent } from "./protocol";

export type SingletonMode = "skip" | "cancel";
export type SingletonConfig = { key?: string; mode: SingletonMode };

export function singletonConfigOf(config: FunctionConfig): SingletonConfig | undefined {
  const raw = config.singleton;
  if (!raw || typeof raw !== "object") return undefined;
  const { key, mode } = raw as { key?: unknown; mode?: unknown };
  if (mode !== "skip" && mode !== "cancel") return undefined;
  return typeof key === "string" && key.trim() ? { key, mode } : { mode };
}

/** The lock a run of `slug` for `event` takes, or null when this run is no singleton. */
export function singletonKey(
  slug: string,
  config: SingletonConfig,
  event: InngestEvent,
): string | null {
  if (!config.key) return slug;
  let value: unknown;
  try {
    value = compileExpression(config.key)({ event });
  } catch {
    return null;
  }
  if (value === false || value === undefined) return null;
  return `${slug}\u0000${typeof value === "string" ? value : JSON.stringify(value)}`;
}

/**
 * Which run holds each singleton key. In memory only: the engine rebuilds it at start from the
 * runs still Running (see InngestEngine.recover), so a restart neither loses nor leaks a lock.
 */
export class SingletonLocks {
  private readonly holders = new Map<string, string>();
  private readonly keyOfRun = new Map<string, string>();

  holder(key: string): string | undefined {
    return this.holders.get(key);
  }

  /** `runId` takes the key; returns the run that held it (to cancel, or to restore on rollback). */
  claim(key: string, runId: string): string | undefined {
    const previous = this.holders.get(key);
    if (previous !== undefined) this.keyOfRun.delete(previous);
    this.holders.set(key, runId);
    this.keyOfRun.set(runId, key);
    return previous;
  }

  /** The run ended (or was never created): its key is free, or goes back to `restore`. */
  release(runId: string, restore?: string): void {
    const key = this.keyOfRun.get(runId);
    if (key === undefined) return;
    this.keyOfRun.delete(runId);
    if (this.holders.get(key) !== runId) return;
    if (restore === undefined) {
      this.holders.delete(key);
      return;
    }
    this.holders.set(key, restore);
    this.keyOfRun.set(restore, key);
  }

  get size(): number {
    return this.holders.size;
  }
}
