/**
 * Group commit: one writer per kind of write. A request made while no statement of its kind is
 * in flight goes out at once, alone (no added latency when idle); requests made while one is in
 * flight wait, and the next flush sends them all in one statement. Each caller's promise settles
 * only when its own batch committed (or failed), so nothing is acknowledged before commit.
 *
 * A batch that fails is retried member by member, each alone: one bad member fails only itself
 * (unless `retryAlone` says the failure was not the statement's: then every member gets it).
 * Members that must not share a statement (the same run twice, a row one member deletes and
 * another updates) name overlapping `keys`; a batch takes at most one member per key, and the
 * rest wait for the next flush in their order of arrival.
 */

export type GroupCommitOptions<Request, Result> = {
  /**
   * Writes one request alone; also the per-member retry of a failed batch. Unset: `writeMany`
   * with one request.
   */
  writeOne?: (request: Request) => Promise<Result>;
  /** Writes two or more requests in one statement; results in the order of `requests`. */
  writeMany: (requests: Request[]) => Promise<Result[]>;
  /** Keys no two members of one batch may share. */
  keys?: (request: Request) => Iterable<string>;
  /**
   * Whether a failed batch is retried member by member (default: always). An error after which
   * the batch may have committed (the connection dropped before the answer) should not be:
   * retrying would present its members a second time.
   */
  retryAlone?: (error: unknown) => boolean;
  /**
   * Called when a statement failed in a way after which it may have committed unseen (the
   * errors `retryAlone` does not retry; every error when it is unset).
   */
  onUnseenOutcome?: (error: unknown) => void;
  /** Most members in one statement (its parameter arrays grow with it). */
  maxBatch?: number;
};

type Pending<Request, Result> = {
  request: Request;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
};

export class GroupCommit<Request, Result> {
  private queue: Pending<Request, Result>[] = [];
  private flushing = false;
  private readonly maxBatch: number;

  constructor(private readonly options: GroupCommitOptions<Request, Result>) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 100);
  }

  /** Resolves with this request's result once the statement that carried it committed. */
  write(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Requests waiting for the statement in flight to end. */
  get waiting(): number {
    return this.queue.length;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.send(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest waiting requests whose keys do not overlap, up to `maxBatch`. */
  private takeBatch(): Pending<Request, Result>[] {
    const { keys } = this.options;
    if (!keys) return this.queue.splice(0, this.maxBatch);
    const taken: Pending<Request, Result>[] = [];
    const left: Pending<Request, Result>[] = [];
    const claimed = new Set<string>();
    for (const pending of this.queue) {
      const own = [...keys(pending.request)];
      if (taken.length >= this.maxBatch || own.some((key) => claimed.has(key))) {
        left.push(pending);
        // A later request must not overtake an earlier one it conflicts with.
        for (const key of own) claimed.add(key);
        continue;
      }
      for (const key of own) claimed.add(key);
      taken.push(pending);
    }
    this.queue = left;
    return taken;
  }

  private async send(batch: Pending<Request, Result>[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only) {
      await this.sendOne(only);
      return;
    }
    let results: Result[];
    try {
      results = await this.options.writeMany(batch.map((pending) => pending.request));
      if (results.length !== batch.length)
        throw new Error(`a batch of ${batch.length} returned ${results.length} results`);
    } catch (error) {
      if (this.options.retryAlone && !this.options.retryAlone(error)) {
        this.options.onUnseenOutcome?.(error);
        for (const pending of batch) pending.reject(error);
        return;
      }
      // Nothing of the batch committed: each member again, alone, so only a bad one fails.
      for (const pending of batch) await this.sendOne(pending);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(results[index] as Result));
  }

  private async writeOne(request: Request): Promise<Result> {
    if (this.options.writeOne) return this.options.writeOne(request);
    const [result] = await this.options.writeMany([request]);
    if (result === undefined) throw new Error("a write of one returned no result");
    return result;
  }

  private async sendOne(pending: Pending<Request, Result>): Promise<void> {
    try {
      pending.resolve(await this.writeOne(pending.request));
    } catch (error) {
      if (!this.options.retryAlone?.(error)) this.options.onUnseenOutcome?.(error);
      pending.reject(error);
    }
  }
}
