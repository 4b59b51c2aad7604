/**
 * Sign-in hardening, through better-auth's real HTTP handler: the email sign-in is rate
 * limited per client address, and every refused attempt is in the audit log (never the password).
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "@/server/db/schema";
import { createTenant, createUser, openTestDatabase, TEST_PASSWORD } from "@/test/fixtures";
import { SIGN_IN_ACCOUNT_LIMIT, SIGN_IN_RATE_LIMIT } from "./config";

const { db, auth } = openTestDatabase();

/** A documentation-range address of its own per test, so counts never mix. */
let nextHost = 1;
const freshAddress = () => `192.0.2.${nextHost++}`;

const signIn = (address: string, email: string, password: string) =>
  auth.handler(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ email, password }),
    }),
  );

const failuresFrom = (address: string) => db.select().from(auditLog).where(eq(auditLog.origin, address));

describe("email sign-in", () => {
  it(`allows ${SIGN_IN_RATE_LIMIT.max} attempts per address and window, then answers 429 without checking the password`, async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const address = freshAddress();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < SIGN_IN_RATE_LIMIT.max; attempt++) statuses.push((await signIn(address, user.email, "wrong-password")).status);
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
      expect(entry).toMatchObject({ actorType: "user", actorId: user.id, action: "auth.sign_in_failed", metadata: { email: user.email, reason: "INVALID_EMAIL_OR_PASSWORD" } });
    }
    expect(JSON.stringify(entries)).not.toContain("guessed-password-1");
  });

  it("logs an attempt on an unknown email without a tenant, and a successful sign-in not at all", async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    const address = freshAddress();
    const stranger = `nobody-${randomUUID().slice(0, 8)}@example.test`;
    expect((await signIn(address, stranger, "whatever-it-is")).status).toBe(401);
    expect((await signIn(address, user.email, TEST_PASSWORD)).status).toBe(200);

    expect(await failuresFrom(address)).toEqual([
      expect.objectContaining({ tenantId: null, actorType: "user", actorId: null, action: "auth.sign_in_failed", metadata: { email: stranger, reason: "INVALID_EMAIL_OR_PASSWORD" } }),
    ]);
  });

  it(`allows ${SIGN_IN_ACCOUNT_LIMIT.max} attempts per account whatever address they claim, then answers 429`, async () => {
    const tenant = await createTenant(db);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    // A client that sets X-Forwarded-For itself gets a fresh address limit on every request…
    for (let attempt = 0; attempt < SIGN_IN_ACCOUNT_LIMIT.max; attempt++) expect((await signIn(freshAddress(), user.email, "wrong-password")).status).toBe(401);
    // …but the account's own limit holds, also for the right password and another spelling of the email.
    expect((await signIn(freshAddress(), user.email.toUpperCase(), TEST_PASSWORD)).status).toBe(429);
    const other = await createUser(db, [{ tenantId: tenant.id, role: "viewer" }]);
    expect((await signIn(freshAddress(), other.email, TEST_PASSWORD)).status).toBe(200);
  });
});
