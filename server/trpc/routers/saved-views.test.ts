import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { parseViewQuery } from "@/lib/saved-view-query";
import { MAX_SAVED_VIEW_QUERY_CHARS, MAX_SAVED_VIEWS_PER_USER } from "@/lib/saved-views";
import { auditLog, memberships, savedViews } from "@/server/db/schema";
import {
  callerFor,
  createTenant,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  signIn,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const auditOf = (viewId: string) =>
  db
    .select({ action: auditLog.action, metadata: auditLog.metadata })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "saved_view"), eq(auditLog.targetId, viewId)))
    .orderBy(auditLog.at, auditLog.id);

/** Until `count` of this database's sessions wait on a lock (bounded: fails rather than hangs). */
async function waitForLockWaiters(count: number) {
  for (let attempt = 0; attempt < 500; attempt++) {
    const [row] = await db.execute<{ waiting: number }>(
      sql`select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((row?.waiting ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Fewer than ${count} sessions ever waited on a lock.`);
}

describe("parseViewQuery", () => {
  it("keeps a history query in the list parsers' canonical form", () => {
    expect(parseViewQuery("?status=failed,running&q=acme&tag=env:prod")).toEqual({
      ok: true,
      query: "status=failed,running&q=acme&tag=env:prod",
    });
    expect(parseViewQuery("")).toEqual({ ok: true, query: "" });
  });

  it.each([
    ["colour=red", '"colour" is not a runs filter.'],
    ["status=exploded", '"exploded" is not a valid status.'],
    ["skill=not-an-id", '"not-an-id" is not a skill id.'],
    ["ids=abc", '"abc" is not a run id.'],
    ["tag=nocolon", "key:value"],
    ["q=%20%2B%2B", "Search for at least one word or number"],
    [`q=${"a".repeat(MAX_SAVED_VIEW_QUERY_CHARS)}`, "Keep the query to"],
  ])("refuses %s", (query, problem) => {
    const parsed = parseViewQuery(query);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problem).toContain(problem);
  });
});

describe("parseViewQuery's length limit", () => {
  // Quotes are percent-encoded in the canonical form: three stored characters for one typed.
  const quotes = (n: number) => '"'.repeat(n);
  const longWhenStored = `q=a${quotes(199)}&tag=${Array.from({ length: 5 }, (_, i) => `k${i}:${quotes(100)}`).join(",")}`;

  it("counts the canonical query that is stored, not the text typed", () => {
    expect(longWhenStored.length).toBeLessThan(MAX_SAVED_VIEW_QUERY_CHARS);
    expect(parseViewQuery(longWhenStored)).toEqual({
      ok: false,
      problem: `Keep the query to ${MAX_SAVED_VIEW_QUERY_CHARS} characters.`,
    });
    // Repeats the parsers drop make a long text short once stored.
    const repeated = "status=failed&".repeat(200);
    expect(repeated.length).toBeGreaterThan(MAX_SAVED_VIEW_QUERY_CHARS);
    expect(parseViewQuery(repeated)).toEqual({ ok: true, query: "status=failed" });
  });

  it("a query too long once stored is a field error that saves nothing", async () => {
    const tenant = await createTenant(db, "Long");
    const { caller } = await signedInMember(db, auth, tenant.id, "operator");
    const view = await caller.savedViews.create({ name: "Short", query: "q=a" });
    const before = await fingerprintTables(db);
    const tooLong = [`Keep the query to ${MAX_SAVED_VIEW_QUERY_CHARS} characters.`];
    expect(
      await trpcFailure(caller.savedViews.create({ name: "Long", query: longWhenStored })),
    ).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { query: tooLong } });
    expect(
      await trpcFailure(caller.savedViews.update({ viewId: view.id, query: longWhenStored })),
    ).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { query: tooLong } });
    expect(await fingerprintTables(db)).toEqual(before);
  });
});

describe("saved views", () => {
  it("a shared view appears for every member; a private one only for its creator", async () => {
    const tenant = await createTenant(db, "Views");
    const { caller: operator } = await signedInMember(db, auth, tenant.id, "operator");
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");

    const shared = await operator.savedViews.create({
      name: "  Failing prod  ",
      query: "?status=failed&tag=env:prod",
      shared: true,
    });
    expect(shared).toMatchObject({ name: "Failing prod", query: "status=failed&tag=env:prod" });
    const mine = await viewer.savedViews.create({ name: "Mine", query: "q=acme" });
    expect(mine.shared).toBe(false);

    expect(
      (await viewer.savedViews.list()).map((view) => [view.name, view.mine, view.deletable]),
    ).toEqual([
      ["Failing prod", false, false],
      ["Mine", true, true],
    ]);
    expect((await operator.savedViews.list()).map((view) => view.name)).toEqual(["Failing prod"]);
    expect((await auditOf(shared.id)).map((entry) => entry.action)).toEqual(["saved_view.create"]);
    // Private views are not audit-logged: they concern nobody else.
    expect(await auditOf(mine.id)).toEqual([]);
  });

  it("viewers keep private views but cannot share; only the creator changes a view", async () => {
    const tenant = await createTenant(db, "Roles");
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");
    const { caller: operator } = await signedInMember(db, auth, tenant.id, "operator");
    const before = await fingerprintTables(db);
    expect(
      await trpcFailure(viewer.savedViews.create({ name: "Team", query: "", shared: true })),
    ).toMatchObject({
      code: "FORBIDDEN",
      message: "Sharing a view needs the operator role or higher.",
    });
    expect(await fingerprintTables(db)).toEqual(before);

    const own = await viewer.savedViews.create({ name: "Own", query: "status=running" });
    expect(
      await trpcFailure(viewer.savedViews.update({ viewId: own.id, shared: true })),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await viewer.savedViews.update({ viewId: own.id, name: "Renamed" })).toMatchObject({
      name: "Renamed",
      shared: false,
    });

    const team = await operator.savedViews.create({ name: "Team", query: "", shared: true });
    const beforeForeign = await fingerprintTables(db);
    expect(
      await trpcFailure(viewer.savedViews.update({ viewId: team.id, name: "Mine now" })),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await trpcFailure(viewer.savedViews.delete({ viewId: team.id }))).toMatchObject({
      code: "FORBIDDEN",
    });
    // Another member's private view is not found, as an unknown id is.
    expect(await trpcFailure(operator.savedViews.delete({ viewId: own.id }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await fingerprintTables(db)).toEqual(beforeForeign);

    await operator.savedViews.update({ viewId: team.id, name: "Team queue", query: "q=invoice" });
    await viewer.savedViews.delete({ viewId: own.id });
    expect((await viewer.savedViews.list()).map((view) => view.name)).toEqual(["Team queue"]);
    expect((await auditOf(team.id)).map((entry) => entry.metadata)).toEqual([
      { name: "Team", shared: true },
      { name: "Team queue", shared: true, previousName: "Team", queryChanged: true },
    ]);
  });

  it("admins delete another member's shared view, audit-logged with its owner", async () => {
    const tenant = await createTenant(db, "Admin");
    const { caller: operator, user } = await signedInMember(db, auth, tenant.id, "operator");
    const { caller: admin } = await signedInMember(db, auth, tenant.id, "admin");
    const team = await operator.savedViews.create({ name: "Team", query: "", shared: true });
    expect((await admin.savedViews.list())[0]).toMatchObject({ mine: false, deletable: true });
    await admin.savedViews.delete({ viewId: team.id });
    expect(await db.select().from(savedViews).where(eq(savedViews.id, team.id))).toEqual([]);
    expect((await auditOf(team.id)).at(-1)).toMatchObject({
      action: "saved_view.delete",
      metadata: { name: "Team", shared: true, ownerId: user.id },
    });
  });

  it("an invalid query or name is refused with a field error and saves nothing", async () => {
    const tenant = await createTenant(db, "Invalid");
    const { caller } = await signedInMember(db, auth, tenant.id, "operator");
    const view = await caller.savedViews.create({ name: "Good", query: "status=failed" });
    const before = await fingerprintTables(db);
    expect(
      await trpcFailure(caller.savedViews.create({ name: "Bad", query: "status=exploded" })),
    ).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { query: ['"exploded" is not a valid status.'] },
    });
    expect(await trpcFailure(caller.savedViews.create({ name: " ", query: "" }))).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { name: ["Name the view."] },
    });
    expect(
      await trpcFailure(caller.savedViews.update({ viewId: view.id, query: "tag=bad" })),
    ).toMatchObject({ code: "BAD_REQUEST" });
    expect(
      await trpcFailure(caller.savedViews.update({ viewId: randomUUID(), name: "Ghost" })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("another tenant's view id changes nothing and is not listed", async () => {
    const ours = await createTenant(db, "Ours");
    const theirs = await createTenant(db, "Theirs");
    const { caller: ourAdmin } = await signedInMember(db, auth, ours.id, "owner");
    const { caller: theirOperator } = await signedInMember(db, auth, theirs.id, "operator");
    const foreign = await theirOperator.savedViews.create({
      name: "Theirs",
      query: "q=secret",
      shared: true,
    });
    const before = await fingerprintTables(db);
    expect(await ourAdmin.savedViews.list()).toEqual([]);
    for (const attempt of [
      ourAdmin.savedViews.update({ viewId: foreign.id, name: "Ours now" }),
      ourAdmin.savedViews.delete({ viewId: foreign.id }),
    ])
      expect(await trpcFailure(attempt)).toMatchObject({
        code: "NOT_FOUND",
        message: `Saved view ${foreign.id} was not found in this tenant.`,
      });
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it("a creator demoted to viewer may unshare or delete their shared view, not change it", async () => {
    const tenant = await createTenant(db, "Demoted");
    const { caller: operator, user } = await signedInMember(db, auth, tenant.id, "operator");
    const team = await operator.savedViews.create({ name: "Team", query: "", shared: true });
    const other = await operator.savedViews.create({ name: "Other", query: "", shared: true });
    await db
      .update(memberships)
      .set({ role: "viewer" })
      .where(and(eq(memberships.organizationId, tenant.id), eq(memberships.userId, user.id)));
    const demoted = await callerFor(db, auth, await signIn(auth, user.email));

    const before = await fingerprintTables(db);
    for (const changes of [
      { name: "Renamed" },
      { query: "status=failed" },
      { shared: true, name: "Renamed" },
      { shared: false, name: "Renamed" },
    ])
      expect(
        await trpcFailure(demoted.savedViews.update({ viewId: team.id, ...changes })),
      ).toMatchObject({
        code: "FORBIDDEN",
        message:
          "Changing a shared view needs the operator role or higher; you can stop sharing it or delete it.",
      });
    expect(await fingerprintTables(db)).toEqual(before);

    expect(await demoted.savedViews.update({ viewId: team.id, shared: false })).toMatchObject({
      name: "Team",
      shared: false,
    });
    // Once private it is theirs alone again, to rename; sharing it again is refused.
    expect(await demoted.savedViews.update({ viewId: team.id, name: "Mine" })).toMatchObject({
      name: "Mine",
    });
    expect(
      await trpcFailure(demoted.savedViews.update({ viewId: team.id, shared: true })),
    ).toMatchObject({
      code: "FORBIDDEN",
      message: "Sharing a view needs the operator role or higher.",
    });
    await demoted.savedViews.delete({ viewId: other.id });
    expect((await auditOf(other.id)).at(-1)).toMatchObject({ action: "saved_view.delete" });
  });

  it("two saves at one below the limit: one is saved, the other refused", async () => {
    const tenant = await createTenant(db, "Limit");
    const { caller, user } = await signedInMember(db, auth, tenant.id, "operator");
    await db.insert(savedViews).values(
      Array.from({ length: MAX_SAVED_VIEWS_PER_USER - 1 }, (_, index) => ({
        tenantId: tenant.id,
        userId: user.id,
        name: `View ${index}`,
        query: "",
      })),
    );
    // Both saves count their views before either inserts: a transaction holding SHARE on the
    // table lets the counts through and stops the inserts until both saves are waiting on a lock.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let tableLocked = () => {};
    const locked = new Promise<void>((resolve) => (tableLocked = resolve));
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`lock table saved_views in share mode`);
      tableLocked();
      await released;
    });
    await locked;
    const saves = Promise.allSettled([
      caller.savedViews.create({ name: "First", query: "q=one" }),
      caller.savedViews.create({ name: "Second", query: "q=two" }),
    ]);
    await waitForLockWaiters(2);
    release();
    await holder;
    const outcomes = await saves;
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = outcomes.find((outcome) => outcome.status === "rejected");
    expect(await trpcFailure(Promise.reject(refused?.reason))).toMatchObject({
      code: "CONFLICT",
      message: `Keep at most ${MAX_SAVED_VIEWS_PER_USER} saved views; delete one first.`,
    });
    const held = await db.select().from(savedViews).where(eq(savedViews.userId, user.id));
    expect(held).toHaveLength(MAX_SAVED_VIEWS_PER_USER);
  });

  it("a view whose stored query no longer parses is listed with why, and can be deleted", async () => {
    const tenant = await createTenant(db, "Stale");
    const { caller, user } = await signedInMember(db, auth, tenant.id, "operator");
    // As if a filter value was retired after the view was saved.
    const [stale] = await db
      .insert(savedViews)
      .values({ tenantId: tenant.id, userId: user.id, name: "Stale", query: "status=exploded" })
      .returning();
    const good = await caller.savedViews.create({ name: "Good", query: "status=failed" });
    expect(
      (await caller.savedViews.list()).map((view) => [view.name, view.problem, view.deletable]),
    ).toEqual([
      ["Good", null, true],
      ["Stale", '"exploded" is not a valid status.', true],
    ]);
    await caller.savedViews.delete({ viewId: stale?.id ?? "" });
    expect((await caller.savedViews.list()).map((view) => view.id)).toEqual([good.id]);
  });
});
