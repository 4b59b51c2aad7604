/**
 * Sign-in hardening, through better-auth's real HTTP handler: the email sign-in is rate
 * limited per client address (only as far as a trusted proxy vouches for it) and per account,
 * the counts are shared by every app process, and refused attempts on accounts are in the
 * audit log (never the password). The suite stands behind a proxy on 127.0.0.1 (vitest.config.ts).
 */
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/server/db/schema";
import { createTenant, createUser, openTestDatabase, TEST_PASSWORD } from "@/test/fixtures";
import {
  createAuth,
  SIGN_IN_ACCOUNT_LIMIT,
  SIGN_IN_RATE_LIMIT,
  SIGN_IN_SHARED_LIMIT,
  type Auth,
} from "./config";

const { db, auth } = openTestDatabase();

/** A documentation-range address of its own per test, so counts never mix. */
let nextHost = 1;
const freshAddress = () => `192.0.2.${nextHost++}`;

const signInThrough = (instance: Auth, forwardedFor: string, email: string, password: string) =>
  instance.handler(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ email, password }),
    }),
  );
const signIn = (address: string, email: string, password: string) =>
  signInThrough(auth, address, email, password);

const failuresFrom = (address: string) =>
  db.select().from(auditLog).where(eq(auditLog.origin, address));

describe("email sign-in", () => {
  it(`allows ${SIGN_IN_RATE_LIMIT.max} attempts per address and window, then answers 429 without checking the password`, async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const address = freshAddress();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < SIGN_IN_RATE_LIMIT.max; attempt++)
      statuses.push((await signIn(address, user.email, "wrong-password")).status);
    expect(statuses).toEqual(Array.from({ length: SIGN_IN_RATE_LIMIT.max }, () => 401));

    // The next one is refused even with the right password, and never reaches the endpoint.
    const limited = await signIn(address, user.email, TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-retry-after")).toMatch(/^\d+$/);
    expect(await failuresFrom(address)).toHaveLength(SIGN_IN_RATE_LIMIT.max);

    // Another address is counted on its own.
    expect((await signIn(freshAddress(), user.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("logs a failed sign-in once per tenant of the account, with the typed email and the address, never the password", async () => {
    const [first, second] = [await createTenant(db), await createTenant(db)];
    const user = await createUser(db, [
      { tenantId: first.id, role: "viewer" },
      { tenantId: second.id, role: "admin" },
    ]);
    const address = freshAddress();
    expect((await signIn(address, user.email, "guessed-password-1")).status).toBe(401);

    const entries = await failuresFrom(address);
    expect(entries.map((entry) => entry.tenantId).sort()).toEqual([first.id, second.id].sort());
    for (const entry of entries) {
      expect(entry).toMatchObject({
        actorType: "user",
        actorId: user.id,
        action: "auth.sign_in_failed",
        metadata: { email: user.email, reason: "INVALID_EMAIL_OR_PASSWORD" },
      });
    }
    expect(JSON.stringify(entries)).not.toContain("guessed-password-1");
  });

  it("logs nothing for an attempt on an email that names no account, and nothing for a successful sign-in", async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const address = freshAddress();
    for (let attempt = 0; attempt < 3; attempt++)
      expect(
        (await signIn(address, `nobody-${randomUUID().slice(0, 8)}@example.test`, "whatever-it-is"))
          .status,
      ).toBe(401);
    expect((await signIn(address, user.email, TEST_PASSWORD)).status).toBe(200);
    expect(await failuresFrom(address)).toEqual([]);
  });

  it(`allows ${SIGN_IN_ACCOUNT_LIMIT.max} attempts per account whatever address they claim, then answers 429`, async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    // A client that sets X-Forwarded-For itself gets a fresh address limit on every request…
    for (let attempt = 0; attempt < SIGN_IN_ACCOUNT_LIMIT.max; attempt++)
      expect((await signIn(freshAddress(), user.email, "wrong-password")).status).toBe(401);
    // …but the account's own limit holds, also for the right password and another spelling of the email.
    expect((await signIn(freshAddress(), user.email.toUpperCase(), TEST_PASSWORD)).status).toBe(
      429,
    );
    const other = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    expect((await signIn(freshAddress(), other.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("without a trusted proxy, believes no X-Forwarded-For: every client shares one budget, and the audit log records no address", async () => {
    const direct = createAuth(db, { trustedProxies: [] });
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    expect((await signInThrough(direct, "203.0.113.66", user.email, "wrong-password")).status).toBe(
      401,
    );
    expect(
      await db
        .select({ origin: auditLog.origin })
        .from(auditLog)
        .where(eq(auditLog.actorId, user.id)),
    ).toEqual([{ origin: null }]);
    // A new made-up address on every attempt buys nothing: the budget is one for all of them.
    // (Malformed emails, refused before any password hashing, keep the test quick; they count all the same.)
    const statuses: number[] = [];
    for (let attempt = 1; attempt < SIGN_IN_SHARED_LIMIT.max; attempt++)
      statuses.push(
        (await signInThrough(direct, freshAddress(), `guess-${attempt}`, "wrong-password")).status,
      );
    expect(new Set(statuses)).toEqual(new Set([400]));
    expect((await signInThrough(direct, freshAddress(), user.email, TEST_PASSWORD)).status).toBe(
      429,
    );
  });

  it("behind trusted proxies, counts the address the nearest proxy saw, whatever the client wrote to the left of it", async () => {
    const proxied = createAuth(db, { trustedProxies: ["10.0.0.0/8"] });
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const [client, neighbour] = [freshAddress(), freshAddress()];
    const chain = (address: string) => `${freshAddress()}, ${address}, 10.0.0.2`;
    for (let attempt = 0; attempt < SIGN_IN_RATE_LIMIT.max; attempt++)
      expect(
        (await signInThrough(proxied, chain(client), user.email, "wrong-password")).status,
      ).toBe(401);
    expect((await signInThrough(proxied, chain(client), user.email, TEST_PASSWORD)).status).toBe(
      429,
    );
    expect((await signInThrough(proxied, chain(neighbour), user.email, TEST_PASSWORD)).status).toBe(
      200,
    );
    expect(
      (
        await db
          .select({ origin: auditLog.origin })
          .from(auditLog)
          .where(eq(auditLog.actorId, user.id))
      ).map((row) => row.origin),
    ).toEqual(Array.from({ length: SIGN_IN_RATE_LIMIT.max }, () => client));
  });

  it("shares the address and account limits between app processes: two auth instances on one database allow each limit once", async () => {
    const processes = [auth, createAuth(db)];
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const address = freshAddress();
    for (let attempt = 0; attempt < SIGN_IN_RATE_LIMIT.max; attempt++)
      expect(
        (await signInThrough(processes[attempt % 2]!, address, user.email, "wrong-password"))
          .status,
      ).toBe(401);
    for (const instance of processes)
      expect((await signInThrough(instance, address, user.email, TEST_PASSWORD)).status).toBe(429);

    const other = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    for (let attempt = 0; attempt < SIGN_IN_ACCOUNT_LIMIT.max; attempt++)
      expect(
        (
          await signInThrough(
            processes[attempt % 2]!,
            freshAddress(),
            other.email,
            "wrong-password",
          )
        ).status,
      ).toBe(401);
    for (const instance of processes)
      expect(
        (await signInThrough(instance, freshAddress(), other.email, TEST_PASSWORD)).status,
      ).toBe(429);
    expect(
      await db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(inArray(auditLog.actorId, [user.id, other.id])),
    ).toHaveLength(SIGN_IN_RATE_LIMIT.max + SIGN_IN_ACCOUNT_LIMIT.max);
  });
});
