import { describe, expect, it } from "vitest";
import { statementKind, statementKindsPerRun } from "./statement-kinds";

describe("statementKind", () => {
  it("names a CTE by every queue table it touches, in order, once each", () => {
    expect(
      statementKind(`with finished as (update "inngest_engine".runs set status = $1 returning id),
        gone as (delete from "inngest_engine".queue where run_id in (select id from finished))
        delete from "inngest_engine"."queue" where id = $2`),
    ).toBe("update runs + delete queue");
  });

  it("reads pg-boss's tables, including a foreign-key check's FROM ONLY", () => {
    expect(
      statementKind(`SELECT 1 FROM ONLY "pgboss"."queue" x WHERE "name" OPERATOR(pg_catalog.=) $1`),
    ).toBe("read queue");
  });

  it("falls back to the statement's start when it touches no queue table", () => {
    expect(statementKind("select   pg_advisory_unlock($1)")).toBe("select pg_advisory_unlock($1)");
  });
});

describe("statementKindsPerRun", () => {
  it("adds up statements of one kind and divides by the runs, most frequent first", () => {
    expect(
      statementKindsPerRun(
        [
          { calls: 10, query: `update "inngest_engine".queue set leased_at = now() where id = $1` },
          {
            calls: 30,
            query: `update inngest_engine.queue set leased_at = now() where id = any($1)`,
          },
          { calls: 20, query: `insert into "inngest_engine".events (name) values ($1)` },
        ],
        10,
      ),
    ).toEqual([
      { kind: "update queue", perRun: 4 },
      { kind: "insert events", perRun: 2 },
    ]);
  });
});
