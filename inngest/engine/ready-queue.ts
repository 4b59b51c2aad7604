import type { QueueItem } from "./engine-types";

/**
 * What runs next, and the request slots (`maxConcurrentRequests`) it runs in. Items come due in
 * order and are dispatched first in, first out; a slot counts from the moment it is promised:
 *
 * - `active`: SDK requests being processed (taken off the queue, not yet finished);
 * - `planned`: rows an in-flight statement writes leased, reserved before the statement so
 *   neither one plan nor concurrent plans lease more rows than there are free slots;
 * - `unsent`: rows written leased and not yet sent, by queue id; each holds its slot until it
 *   is sent (and a graceful stop unleases them).
 *
 * With every slot promised, only an item written leased may still go: it holds one already.
 * Memory only; the engine's `pump` takes items off and runs them.
 */
export class ReadyQueue {
  private readonly items: QueueItem[] = [];
  private active = 0;
  private planned = 0;
  private readonly unsent = new Map<number, QueueItem>();
  /** Resolved when `planned` drops to 0. */
  private plannedSettled: (() => void)[] = [];

  constructor(private readonly maxConcurrentRequests: number) {}

  get length(): number {
    return this.items.length;
  }

  /** Whether the item is waiting here to be dispatched. */
  has(queueId: number): boolean {
    return this.items.some((item) => item.id === queueId);
  }

  /** Appends an item that is due. */
  push(item: QueueItem) {
    this.items.push(item);
  }

  /** Forgets every due item (the engine stopped); request slot accounting is untouched. */
  clear() {
    this.items.length = 0;
  }

  /** Request slots in use or promised: requests sent, rows being written leased, leased rows not yet sent. */
  committed(): number {
    return this.active + this.planned + this.unsent.size;
  }

  /** Request slots neither in use nor promised (negative when over-committed). */
  freeSlots(): number {
    return this.maxConcurrentRequests - this.committed();
  }

  /** Whether a call queued now may be written leased: nothing waits ahead of it and a slot is free. */
  canLeaseAhead(): boolean {
    return this.items.length === 0 && this.committed() < this.maxConcurrentRequests;
  }

  /**
   * Takes the next item to dispatch off the queue and counts its request as active: the first
   * item while a slot is free, else the first item written leased (it holds a slot), else none.
   */
  take(): QueueItem | undefined {
    const index =
      this.committed() < this.maxConcurrentRequests
        ? 0
        : this.unsent.size > 0
          ? this.items.findIndex((item) => this.unsent.get(item.id) === item)
          : -1;
    if (index < 0) return undefined;
    const [item] = this.items.splice(index, 1);
    if (!item) return undefined;
    if (this.unsent.get(item.id) === item) this.unsent.delete(item.id);
    this.active++;
    return item;
  }

  /** A request taken by `take` finished: its slot is free. */
  finished() {
    this.active--;
  }

  /**
   * Removes a due item by queue id. `freedSlot`: it was written leased and never sent, so the
   * request slot it held is free again.
   */
  remove(queueId: number): { item: QueueItem; freedSlot: boolean } | undefined {
    const index = this.items.findIndex((item) => item.id === queueId);
    if (index < 0) return undefined;
    const [item] = this.items.splice(index, 1);
    if (!item) return undefined;
    const freedSlot = this.unsent.get(item.id) === item;
    if (freedSlot) this.unsent.delete(item.id);
    return { item, freedSlot };
  }

  /** Reserves slots for rows a statement is about to write leased. */
  reservePlanned(count: number) {
    this.planned += count;
  }

  /**
   * The statement that was to write these rows leased committed (they are `unsent` now) or
   * failed; false when there was nothing to release.
   */
  releasePlanned(count: number): boolean {
    if (count <= 0) return false;
    this.planned -= count;
    if (this.planned === 0) {
      const settled = this.plannedSettled;
      this.plannedSettled = [];
      for (const resolve of settled) resolve();
    }
    return true;
  }

  /** Whether slots are reserved for a statement in flight. */
  hasPlanned(): boolean {
    return this.planned > 0;
  }

  /** Resolves when no slot is reserved for a statement in flight any more. */
  plannedDrained(): Promise<void> | undefined {
    return this.planned > 0
      ? new Promise<void>((resolve) => this.plannedSettled.push(resolve))
      : undefined;
  }

  /** A row written leased and not yet sent: it holds a request slot until it is taken. */
  markUnsent(item: QueueItem) {
    this.unsent.set(item.id, item);
  }

  /** The queue ids of the rows written leased and never sent, forgotten here (close unleases them). */
  takeUnsent(): number[] {
    const ids = [...this.unsent.keys()];
    this.unsent.clear();
    return ids;
  }
}
