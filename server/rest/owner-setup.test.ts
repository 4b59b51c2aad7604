/**
 * `POST /api/setup` as the route serves it (the handler `app/api/setup/route.ts` calls): what a
 * visitor gets for each request, and that the endpoint is gone (404) once any user exists.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import { tenants, users, verifications } from "@/server/db/schema";
import { issueOwnerSetupToken } from "@/server/services/access/owner-setup";
import { openTestDatabase } from "@/test/fixtures";
import { createOwnerSetupEndpoint } from "./owner-setup";

const { db, auth } = openTestDatabase();
const setupOwner = createOwnerSetupEndpoint({
  db: () => db,
  passwords: () => passwordPolicyOf(auth),
});

beforeEach(async () => {
  await db.delete(users);
  await db.delete(tenants);
  await db.delete(verifications);
});

const OWNER = {
  name: "Olga Owner",
  email: "olga@example.test",
  password: "a-long-owner-password",
  tenantName: "Ops",
};
const post = (body: unknown, contentType = "application/json") =>
  setupOwner(
    new Request("http://localhost:3000/api/setup", {
      method: "POST",
      headers: { "content-type": contentType, "x-forwarded-for": "192.0.2.9" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );

async function issued() {
  const issuedToken = await issueOwnerSetupToken(db);
  if (!issuedToken) throw new Error("no token issued");
  return issuedToken.token;
}

describe("POST /api/setup", () => {
  it("creates the owner with the token (201), opens no session itself, and answers 404 from then on", async () => {
    const token = await issued();
    const created = await post({ ...OWNER, token });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ email: "olga@example.test", tenantSlug: "ops" });
    expect(created.headers.get("set-cookie")).toBeNull();
    const signedIn = await auth.api.signInEmail({
      body: { email: OWNER.email, password: OWNER.password },
      asResponse: true,
    });
    expect(signedIn.status).toBe(200);

    // The same request again, a new token, or junk: the endpoint no longer exists.
    expect((await post({ ...OWNER, token })).status).toBe(404);
    expect((await post({ ...OWNER, email: "second@example.test", token })).status).toBe(404);
    expect((await post("not json")).status).toBe(404);
    expect(await db.$count(users)).toBe(1);
  });

  it("answers 403 for a wrong token and creates nothing", async () => {
    await issued();
    const refused = await post({ ...OWNER, token: "A".repeat(43) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "setup_token_invalid" } });
    expect(await db.$count(users)).toBe(0);
    expect(await db.$count(tenants)).toBe(0);
  });

  it("answers 403 when no token was ever issued (an app started without the launcher)", async () => {
    expect((await post({ ...OWNER, token: "A".repeat(43) })).status).toBe(403);
  });

  it("answers 400 with the fields to fix, 400 for keys it does not know, and 415 for another media type", async () => {
    const token = await issued();
    const invalid = await post({ ...OWNER, email: "nope", password: "short", token });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: { fields: Record<string, string[]> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(["email", "password"]);

    expect((await post({ ...OWNER, token, role: "owner" })).status).toBe(400);
    expect((await post({ ...OWNER, token }, "text/plain")).status).toBe(415);
    expect((await post({ ...OWNER, name: "Olga\u0000", token })).status).toBe(400);
    expect(await db.$count(users)).toBe(0);
    expect((await post({ ...OWNER, token })).status).toBe(201);
  });
});
