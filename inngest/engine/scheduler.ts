import type {
  ConcurrencySlot,
  NewQueueItem,
  QueueItem,
  RegisteredFunction,
  RunState,
  SlotHandOff,
} from "./engine-types";
import { evaluateKey } from "./expressions";
import type { ConcurrencyConfig, InngestEvent } from "./protocol";

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

/** What the slots need of the engine. */
export interface SlotsHost {
  /** Puts an item whose slots are now held on the ready queue (dispatched at the next `pump`). */
  makeReady(item: QueueItem): void;
  /** Dispatches what the ready queue allows. */
  pump(): void;
  /** A run in memory (a hand-off's waiter must be one of them). */
  runOf(runId: string): RunState | undefined;
}

/**
 * The concurrency slots of the runs in motion: per key, how many calls hold one and which
 * items wait (in `waitRank` order), and which execute item holds its run's slots. Memory
 * only: after a restart the calls re-acquire as they are dispatched. A freed slot's waiter
 * goes on the engine's ready queue (`SlotsHost.makeReady`), and `pump` dispatches it.
 */
export class ConcurrencySlots {
  private readonly semaphores = new Map<string, Semaphore>();
  /** Execute items holding their run's concurrency slots, by queue id (see tryAcquire, handOffSlots). */
  private readonly slotHolders = new Map<number, { item: QueueItem; slots: ConcurrencySlot[] }>();

  constructor(private readonly host: SlotsHost) {}

  tryAcquire(run: RunState, item: QueueItem): boolean {
    for (const slot of run.concurrency) {
      const semaphore = this.semaphores.get(slot.key) ?? { active: 0, waiting: [] };
      this.semaphores.set(slot.key, semaphore);
      if (semaphore.active >= slot.limit) {
        // After the last waiting item that ranks before or with this one: FIFO within a run.
        const rank = waitRank(run);
        let at = semaphore.waiting.length;
        while (at > 0 && ranksAfter(semaphore.waiting[at - 1]!.rank, rank)) at--;
        semaphore.waiting.splice(at, 0, { item, rank });
        return false;
      }
    }
    for (const slot of run.concurrency) {
      const semaphore = this.semaphores.get(slot.key);
      if (semaphore) semaphore.active++;
    }
    if (run.concurrency.length > 0) this.holdSlots(item, run.concurrency);
    return true;
  }

  /** Slots for a new run's first call, taken only when every key has room and nobody waits. */
  acquireAhead(slots: ConcurrencySlot[]): boolean {
    if (slots.length === 0) return false;
    const free = slots.every((slot) => {
      const semaphore = this.semaphores.get(slot.key);
      return !semaphore || (semaphore.active < slot.limit && semaphore.waiting.length === 0);
    });
    if (!free) return false;
    for (const slot of slots) {
      const semaphore = this.semaphores.get(slot.key) ?? { active: 0, waiting: [] };
      semaphore.active++;
      this.semaphores.set(slot.key, semaphore);
    }
    return true;
  }

  holdSlots(item: QueueItem, slots: ConcurrencySlot[]) {
    item.holdsSlots = true;
    this.slotHolders.set(item.id, { item, slots });
  }

  /** Whether this very item (not a retry's copy of it) holds its run's slots. */
  holdsSlots(item: QueueItem): boolean {
    return this.slotHolders.get(item.id)?.item === item;
  }

  /** Gives back the item's slots, unless it handed them on (or never held any). */
  release(item: QueueItem) {
    const held = this.slotHolders.get(item.id);
    if (held?.item !== item) return;
    this.slotHolders.delete(item.id);
    this.releaseSlots(held.slots);
  }

  releaseSlots(slots: ConcurrencySlot[]) {
    for (const slot of slots) {
      const semaphore = this.semaphores.get(slot.key);
      if (!semaphore) continue;
      semaphore.active--;
      const next = semaphore.waiting.shift();
      if (next) this.host.makeReady(next.item);
      if (semaphore.active === 0 && semaphore.waiting.length === 0)
        this.semaphores.delete(slot.key);
    }
    this.host.pump();
  }

  /**
   * Who gets the slots of the run's call whose response is being handled (its queue id; for
   * a finalize, the run's only call holding slots): the run's own next call when no
   * waiter ranks before the run (RELIABILITY's ordering rule), else the waiter first in line
   * on every key, whose lease then rides on the statement that frees the slots. The waiter
   * leaves the wait lists now, so no other release picks it meanwhile.
   */
  handOffSlots(
    run: RunState,
    responding: number | "only",
    nextCall: NewQueueItem | undefined,
  ): SlotHandOff | null {
    if (run.concurrency.length === 0) return null;
    const holders = [...this.slotHolders.values()].filter(({ item }) => item.runId === run.id);
    // A finalize does not know which call ended the run; with calls in parallel none hands on.
    const holder =
      responding === "only"
        ? holders.length === 1
          ? holders[0]
          : undefined
        : holders.find(({ item }) => item.id === responding);
    if (!holder) return null;
    const rank = waitRank(run);
    const semaphores = holder.slots.map((slot) => this.semaphores.get(slot.key));
    const heads = semaphores.map((semaphore) => semaphore?.waiting[0]);
    if (nextCall && heads.every((head) => !head || !ranksAfter(rank, head.rank)))
      return { holder: holder.item, slots: holder.slots, keep: nextCall };
    const waiter = heads[0]?.item;
    const waiterRun = waiter ? this.host.runOf(waiter.runId) : undefined;
    if (
      !waiter ||
      !waiterRun ||
      heads.some((head) => head?.item !== waiter) ||
      waiterRun.concurrency.map((slot) => slot.key).join("\n") !==
        holder.slots.map((slot) => slot.key).join("\n")
    )
      return null;
    for (const semaphore of semaphores) semaphore?.waiting.shift();
    return { holder: holder.item, slots: holder.slots, waiter };
  }

  /** The statement committed: the slots move to the kept call or the waiter. */
  completeHandOff(handOff: SlotHandOff, scheduled: QueueItem[], waiterLeaseGen: number | null) {
    const kept = handOff.keep && scheduled.find((item) => item.holdsSlots);
    if (handOff.keep && !kept) return;
    this.slotHolders.delete(handOff.holder.id);
    if (kept) {
      this.slotHolders.set(kept.id, { item: kept, slots: handOff.slots });
      return;
    }
    const { waiter } = handOff;
    if (!waiter) return;
    waiter.leased = waiterLeaseGen !== null;
    if (waiterLeaseGen !== null) waiter.leaseGen = waiterLeaseGen;
    this.holdSlots(waiter, handOff.slots);
    this.host.makeReady(waiter);
    this.host.pump();
  }

  /** The statement failed or changed nothing: the holder releases as usual; the waiter queues again. */
  cancelHandOff(handOff: SlotHandOff) {
    if (handOff.keep) handOff.keep.holdsSlots = false;
    if (handOff.waiter) {
      this.host.makeReady(handOff.waiter);
      this.host.pump();
    }
  }

  /** Whether the queue item waits here for a slot. */
  isWaiting(queueId: number): boolean {
    for (const semaphore of this.semaphores.values())
      if (semaphore.waiting.some(({ item }) => item.id === queueId)) return true;
    return false;
  }

  /** Drops a finished run's items that were waiting for a slot. */
  dropWaiting(runId: string) {
    for (const semaphore of this.semaphores.values()) {
      semaphore.waiting = semaphore.waiting.filter(({ item }) => item.runId !== runId);
    }
  }
}

/** The concurrency keys a run of `fn` for the event takes a slot of (up to two), with their limits. */
export function concurrencySlotsOf(fn: RegisteredFunction, event: InngestEvent): ConcurrencySlot[] {
  const raw = fn.config.concurrency;
  const list: ConcurrencyConfig[] =
    raw === undefined ? [] : Array.isArray(raw) ? raw.slice(0, 2) : [raw];
  return list.flatMap((entry) => {
    const {
      limit,
      key,
      scope = "fn",
    } = typeof entry === "number" ? { limit: entry, key: undefined, scope: "fn" as const } : entry;
    if (!limit || limit <= 0) return [];
    const value = key ? evaluateKey(key, { event }) : "";
    return [{ key: scope === "fn" ? `fn:${fn.slug}:${value}` : `${scope}:${value}`, limit }];
  });
}
