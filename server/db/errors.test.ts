import net from "node:net";
import { DrizzleQueryError } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { isDatabaseUnavailable, reportsDatabaseUnavailable } from "./errors";

const serverUrl = inject("databaseServerUrl");

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("isDatabaseUnavailable", () => {
  it("is true for a server that is not listening, also wrapped as drizzle wraps it", async () => {
    const url = Object.assign(new URL(serverUrl), { port: String(await closedPort()) }).toString();
    const sql = postgres(url, { max: 1, connect_timeout: 5 });
    const refused = await errorOf(sql`select 1`);
    await sql.end({ timeout: 1 });
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], refused as Error))).toBe(
      true,
    );
  });

  it("is true for a session the server ended (57P01) and for a write to a socket it closed (EPIPE)", async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    const killer = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const ended = errorOf(sql`select pg_sleep(5)`);
      await killer`select pg_terminate_backend(${row!.pid}, 5000)`;
      expect(isDatabaseUnavailable(await ended)).toBe(true);
    } finally {
      await Promise.all([sql.end({ timeout: 1 }), killer.end({ timeout: 1 })]);
    }
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write" }),
      ),
    ).toBe(true);
  });

  it("is false for a query PostgreSQL refused, and for anything else", async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    const refused = await errorOf(sql`select * from no_such_table`);
    await sql.end({ timeout: 1 });
    expect(refused).toMatchObject({ code: "42P01" });
    expect(isDatabaseUnavailable(refused)).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe("reportsDatabaseUnavailable", () => {
  // As a failure handler gets a step's error back from the engine: messages kept, codes lost.
  const readBack = (message: string, cause?: string) => ({
    name: "Error",
    message,
    ...(cause ? { cause: { name: "Error", message: cause } } : {}),
  });

  it("is true for the driver's and the server's outage messages, also in a cause", () => {
    const outages = [
      readBack("Failed query: update skill_runs …", "connect ECONNREFUSED 127.0.0.1:9"),
      readBack("Failed query: select …", "write CONNECTION_CLOSED 127.0.0.1:5432"),
      readBack("the database system is shutting down"),
      readBack("terminating connection due to administrator command"),
      readBack("write EPIPE"),
    ];
    // No code survived the trip, so the code-based check cannot tell.
    expect(outages.filter((error) => isDatabaseUnavailable(error))).toEqual([]);
    expect(outages.filter((error) => !reportsDatabaseUnavailable(error))).toEqual([]);
  });

  it("is false for other failures", () => {
    for (const error of [
      readBack("the model registry exploded"),
      readBack("Failed query: select …", 'relation "nope" does not exist'),
      readBack("NOT_CONNECTION_CLOSEDX"),
      "ECONNREFUSED",
      null,
    ])
      expect(reportsDatabaseUnavailable(error)).toBe(false);
  });
});
