import { describe, expect, it } from "vitest";
import { GroupCommit } from "../group-commit";

/** A promise the test settles by hand: a statement "in flight" until then. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A writer whose statements the test releases one at a time, recording what each carried. */
function recorder(options: { failMany?: boolean; bad?: Set<number>; keys?: boolean } = {}) {
  const statements: number[][] = [];
  const gates: ReturnType<typeof gate>[] = [];
  const commit = async (requests: number[]) => {
    statements.push(requests);
    const held = gate();
    gates.push(held);
    await held.opened;
    if (requests.some((request) => options.bad?.has(request)))
      throw new Error(`bad member in ${requests.join(",")}`);
    return requests.map((request) => request * 10);
  };
  const writer = new GroupCommit<number, number>({
    writeOne: async (request) => (await commit([request]))[0] ?? -1,
    writeMany: async (requests) => {
      if (options.failMany) throw new Error("the batch failed");
      return commit(requests);
    },
    ...(options.keys ? { keys: (request: number) => [String(request % 3)] } : {}),
    maxBatch: 4,
  });
  /** Lets the next statement commit, then lets its callers run. */
  const release = async () => {
    for (let tries = 0; tries < 50 && gates.length === 0; tries++) await Promise.resolve();
    gates.shift()?.open();
    for (let tries = 0; tries < 50; tries++) await Promise.resolve();
  };
  return { writer, statements, release };
}

describe("group commit", () => {
  it("sends a lone request at once, alone, and its result comes back", async () => {
    const { writer, statements, release } = recorder();
    const result = writer.write(1);
    // Sent synchronously: no timer, no wait for company.
    expect(statements).toEqual([[1]]);
    await release();
    await expect(result).resolves.toBe(10);
  });

  it("batches the requests that arrive while a statement is in flight, in arrival order", async () => {
    const { writer, statements, release } = recorder();
    const settled: number[] = [];
    const results = [1, 2, 3, 4, 5, 6, 7].map((request) =>
      writer.write(request).then((result) => {
        settled.push(request);
        return result;
      }),
    );
    expect(statements).toEqual([[1]]);
    expect(writer.waiting).toBe(6);
    await release();
    // Only the first statement's caller is answered; the rest wait for their own commit.
    expect(settled).toEqual([1]);
    expect(statements).toEqual([[1], [2, 3, 4, 5]]);
    await release();
    expect(settled).toEqual([1, 2, 3, 4, 5]);
    expect(statements).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
    await release();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(writer.waiting).toBe(0);
  });

  it("retries a failed batch member by member: only the bad member fails", async () => {
    const { writer, statements, release } = recorder({ bad: new Set([3]) });
    const first = writer.write(1);
    const others = [2, 3, 4].map((request) => writer.write(request));
    await release();
    await first;
    await release(); // the batch [2,3,4] fails
    await release(); // 2 alone
    await release(); // 3 alone, fails
    await release(); // 4 alone
    const outcomes = await Promise.allSettled(others);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(outcomes[0]).toEqual({ status: "fulfilled", value: 20 });
    expect(statements).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it("retries alone when the batch statement itself throws", async () => {
    const { writer, statements, release } = recorder({ failMany: true });
    const results = [1, 2, 3].map((request) => writer.write(request));
    for (let step = 0; step < 3; step++) await release();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30]);
    expect(statements).toEqual([[1], [2], [3]]);
  });

  it("fails every member without a retry when the failure may have committed the batch", async () => {
    const lost = new Error("connection closed");
    const attempts: number[][] = [];
    const writer = new GroupCommit<number, number>({
      writeOne: async (request) => {
        attempts.push([request]);
        await Promise.resolve();
        return request;
      },
      writeMany: async (requests) => {
        attempts.push(requests);
        await Promise.resolve();
        throw lost;
      },
      retryAlone: (error) => error !== lost,
    });
    const results = [1, 2, 3].map((request) => writer.write(request));
    const outcomes = await Promise.allSettled(results);
    expect(outcomes).toEqual([
      { status: "fulfilled", value: 1 },
      { status: "rejected", reason: lost },
      { status: "rejected", reason: lost },
    ]);
    expect(attempts).toEqual([[1], [2, 3]]);
  });

  it("never puts two requests with a shared key in one batch, nor lets a later one overtake", async () => {
    const { writer, statements, release } = recorder({ keys: true });
    // Keys are request % 3: 4 conflicts with 1, 7 with 4; 5 and 6 are free.
    const results = [0, 1, 4, 5, 7, 6].map((request) => writer.write(request));
    for (let step = 0; step < 4; step++) await release();
    await Promise.all(results);
    expect(statements).toEqual([[0], [1, 5, 6], [4], [7]]);
  });

  it("goes back to sending at once after a flush has drained", async () => {
    const { writer, statements, release } = recorder();
    const first = [writer.write(1), writer.write(2)];
    await release();
    await release();
    await Promise.all(first);
    const later = writer.write(3);
    expect(statements).toEqual([[1], [2], [3]]);
    await release();
    await expect(later).resolves.toBe(30);
  });
});
