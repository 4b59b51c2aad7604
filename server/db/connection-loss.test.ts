/**
 * Holds patches/postgres+3.4.9.patch: when PostgreSQL closes a session under the driver
 * (a restart, pg_terminate_backend), every pending query settles, nothing throws outside a
 * promise, and the pool's next query runs on a fresh session instead of hanging or failing
 * with the dead session's error (porsager/postgres#1154, #1208). And a query that fails
 * part-way through its rows leaves no phantom rows in the next one's result.
 */
import net from "node:net";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "./client";

const serverUrl = inject("databaseServerUrl");
const killer = postgres(serverUrl, { max: 1, onnotice: () => {} });
afterAll(() => killer.end());

/** For the driver's `socket` option (its README's "Custom socket", left out of its types): a socket the test can reach. */
function connectToTestServer(): net.Socket {
  const { hostname, port } = new URL(serverUrl);
  return net.connect(Number(port), hostname);
}

type Outcome = { settled: false } | { settled: true; value?: unknown; error?: unknown };

/** A hang shows up as `{ settled: false }` for this test to report, not as the test's own timeout. */
async function settlement(promise: Promise<unknown>, withinMs = 5_000): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>(
    (resolve) => (timer = setTimeout(() => resolve({ settled: false }), withinMs)),
  );
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ settled: true as const, value }),
        (error: unknown) => ({ settled: true as const, error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a PostgreSQL session closed under the driver", () => {
  it("fails the transaction it was in, and the pool's next queries answer on a fresh session", async () => {
    // The race this reproduces (the FATAL, the rollback and the socket's close interleaving)
    // went wrong on all 15 attempts of an experiment before the patch: 5 hangs, 10 times the dead session's error.
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { db, close } = createDatabase(serverUrl, { max: 1 });
      try {
        const transaction = db.transaction(async (tx) => {
          const [row] = await tx.execute<{ pid: number }>("select pg_backend_pid() as pid");
          await killer`select pg_terminate_backend(${row!.pid})`;
          await tx.execute("select 1");
        });
        const failed = await settlement(transaction);
        expect(failed.settled, `attempt ${attempt}: the transaction settles`).toBe(true);
        expect(failed, `attempt ${attempt}: the transaction fails`).toHaveProperty("error");

        for (const expected of [attempt, attempt + 100]) {
          const next = await settlement(db.execute<{ n: number }>(`select ${expected}::int as n`));
          expect(next, `attempt ${attempt}: the pool's next query`).toEqual({
            settled: true,
            value: [{ n: expected }],
          });
        }
      } finally {
        await close();
      }
    }
  });

  it("rejects every later query on a reserved connection, and releasing it leaves the pool working", async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await killer`select pg_terminate_backend(${row!.pid}, 5000)`;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const outcome = await settlement(reserved`select 1`);
        expect(outcome).toMatchObject({
          settled: true,
          error: { code: expect.stringMatching(/^(CONNECTION_CLOSED|57P01)$/) },
        });
      }
      reserved.release();
      expect(await settlement(sql<{ n: number }[]>`select 7::int as n`)).toMatchObject({
        settled: true,
        value: [{ n: 7 }],
      });
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("drops a write queued as its socket closed, so the next session's startup is not held back", async () => {
    const sockets: net.Socket[] = [];
    // The socket option is what hands the test the socket to close.
    const withOwnSockets = {
      max: 1,
      onnotice: () => {},
      socket: () => {
        const socket = connectToTestServer();
        sockets.push(socket);
        return socket;
      },
    };
    const sql = postgres(serverUrl, withOwnSockets);
    try {
      await sql`select 1`;
      // Inside a setImmediate callback the query's write is queued for the next check phase,
      // while the destroyed socket's 'close' comes in this loop iteration's close phase: first.
      const { queuedAsClosed } = await new Promise<{ queuedAsClosed: Promise<unknown> }>(
        (resolve) =>
          setImmediate(() => {
            sockets.at(-1)!.destroy();
            resolve({ queuedAsClosed: sql`select 2`.execute() });
          }),
      );
      expect(await settlement(queuedAsClosed)).toMatchObject({
        settled: true,
        error: { code: "CONNECTION_CLOSED" },
      });
      expect(await settlement(sql<{ n: number }[]>`select 3::int as n`)).toMatchObject({
        settled: true,
        value: [{ n: 3 }],
      });
      expect(sockets).toHaveLength(2);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("rejects the queries a reserved connection or a transaction had queued behind the one in flight", async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      // A statement with parameters is described first, which leaves the connection busy: the next query waits in the handle's own queue.
      const inFlight = settlement(reserved`select pg_sleep(1), ${1}::int`);
      const queued = settlement(reserved`select 2`);
      await killer`select pg_terminate_backend(${row!.pid}, 5000)`;
      expect(await inFlight).toMatchObject({ settled: true, error: {} });
      expect(await queued).toMatchObject({ settled: true, error: { code: "CONNECTION_CLOSED" } });
      reserved.release();

      let inner: Promise<Outcome>[] = [];
      const transaction = sql.begin(async (tx) => {
        const [own] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
        inner = [settlement(tx`select pg_sleep(1), ${1}::int`), settlement(tx`select 2`)];
        await killer`select pg_terminate_backend(${own!.pid}, 5000)`;
        await Promise.all(inner);
      });
      expect(await settlement(transaction)).toMatchObject({ settled: true, error: {} });
      expect(await Promise.all(inner)).toMatchObject([
        { settled: true, error: {} },
        { settled: true, error: { code: "CONNECTION_CLOSED" } },
      ]);
      expect(await settlement(sql<{ n: number }[]>`select 4::int as n`)).toMatchObject({
        settled: true,
        value: [{ n: 4 }],
      });
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("does not answer a fresh session's first query with the error that ended the previous session during its type fetch", async () => {
    const applicationName = `type-fetch-${process.pid}-${Date.now()}`;
    let typeFetchSeen: () => void = () => {};
    const typeFetchSent = new Promise<void>((resolve) => (typeFetchSeen = resolve));
    let holding = true;
    const withHeldTypeFetch = {
      max: 1,
      onnotice: () => {},
      connection: { application_name: applicationName },
      // Holds back the first session's type fetch (the driver's own first query), so the test can end the session while it is in flight.
      socket: () => {
        const socket = connectToTestServer();
        const write = socket.write.bind(socket) as (
          chunk: Buffer,
          callback?: () => void,
        ) => boolean;
        socket.write = ((chunk: Buffer, callback?: () => void) => {
          if (holding && chunk.includes("typarray")) {
            holding = false;
            typeFetchSeen();
            return true;
          }
          return write(chunk, callback);
        }) as typeof socket.write;
        return socket;
      },
    };
    const sql = postgres(serverUrl, withHeldTypeFetch);
    try {
      const first = settlement(sql<{ n: number }[]>`select 5::int as n`);
      await typeFetchSent;
      await killer`select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = ${applicationName}`;
      expect(await first).toMatchObject({ settled: true, value: [{ n: 5 }] });
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("does not hand a query that failed part-way through its rows' count to the next query", async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      const failed = await settlement(sql`select 1 / (x - 3) as q from generate_series(1, 5) x`);
      expect(failed).toMatchObject({ settled: true, error: { code: "22012" } });
      expect([...(await sql<{ a: number }[]>`select 1 as a`)]).toEqual([{ a: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
