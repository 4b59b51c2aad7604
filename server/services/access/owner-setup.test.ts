/**
 * The first owner of an installation with no account: only with the newest setup token (or
 * from the command line), once, and never after any user exists. A refusal writes nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { passwordPolicyOf } from "@/server/auth/password-policy";
import {
  accounts,
  auditLog,
  memberships,
  tenants,
  tenantSettings,
  users,
  verifications,
} from "@/server/db/schema";
import { callerFor, createTenant, createUser, openTestDatabase, signIn } from "@/test/fixtures";
import {
  createFirstOwner,
  issueOwnerSetupToken,
  OWNER_SETUP_TOKEN_TTL_MS,
  OwnerAlreadyExistsError,
  OwnerSetupInputError,
  OwnerSetupTokenInvalidError,
  type OwnerSetupInput,
} from "./owner-setup";

const { db, auth } = openTestDatabase();
const passwords = await passwordPolicyOf(auth);

const OWNER: OwnerSetupInput = {
  name: "Olga Owner",
  email: "Olga@Example.test",
  password: "a-long-owner-password",
  tenantName: "Zürich Ops & Co",
};

beforeEach(async () => {
  // Every case starts from an installation without any account.
  await db.delete(users);
  await db.delete(tenants);
  await db.delete(verifications);
  await db.delete(auditLog);
});

/** Row counts of everything owner creation writes, to compare before and after a refusal. */
const footprint = async () => ({
  users: await db.$count(users),
  accounts: await db.$count(accounts),
  tenants: await db.$count(tenants),
  tenantSettings: await db.$count(tenantSettings),
  memberships: await db.$count(memberships),
  auditLog: await db.$count(auditLog),
  verifications: await db.$count(verifications),
});

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

async function issued() {
  const issuedToken = await issueOwnerSetupToken(db);
  if (!issuedToken) throw new Error("no token issued");
  return issuedToken.token;
}

describe("first-run owner setup", () => {
  it("with the setup token creates the owner, their tenant and membership, signs in with the chosen password, and writes one audit entry", async () => {
    const token = await issued();
    const owner = await createFirstOwner(
      db,
      OWNER,
      passwords,
      { kind: "setup_token", token },
      "192.0.2.7",
    );
    expect(owner).toMatchObject({ email: "olga@example.test", tenantSlug: "zurich-ops-co" });

    const viewer = await (
      await callerFor(db, auth, await signIn(auth, "olga@example.test", OWNER.password))
    ).viewer.get();
    expect(viewer.activeTenant?.name).toBe("Zürich Ops & Co");
    expect(viewer.tenants.map((tenant) => tenant.role)).toEqual(["owner"]);

    expect(
      await db
        .select({
          tenantId: auditLog.tenantId,
          actorType: auditLog.actorType,
          actorId: auditLog.actorId,
          action: auditLog.action,
          targetId: auditLog.targetId,
          origin: auditLog.origin,
          metadata: auditLog.metadata,
        })
        .from(auditLog),
    ).toEqual([
      {
        tenantId: owner.tenantId,
        actorType: "user",
        actorId: owner.userId,
        action: "tenant.create",
        targetId: owner.tenantId,
        origin: "192.0.2.7",
        metadata: { name: "Zürich Ops & Co", ownerEmail: "olga@example.test", via: "setup_page" },
      },
    ]);
  });

  it("refuses a wrong, malformed, expired or replaced token and writes nothing", async () => {
    const replaced = await issued();
    const token = await issued();
    const before = await footprint();
    const wrong = [
      replaced,
      `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
      "",
      "not a token",
      `${token} `,
    ];
    for (const candidate of wrong) {
      expect(
        await rejection(
          createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token: candidate }, null),
        ),
      ).toBeInstanceOf(OwnerSetupTokenInvalidError);
    }
    const expired = new Date(Date.now() + OWNER_SETUP_TOKEN_TTL_MS + 1_000);
    expect(
      await rejection(
        createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null, expired),
      ),
    ).toBeInstanceOf(OwnerSetupTokenInvalidError);
    expect(await footprint()).toEqual(before);

    // The right token still works afterwards: refusals do not spend it.
    await createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null);
  });

  it("spends the token: it is gone once the owner exists, and a second owner is refused whatever the proof", async () => {
    const token = await issued();
    await createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null);
    expect(await db.$count(verifications)).toBe(0);

    const before = await footprint();
    const second = { ...OWNER, email: "second@example.test", tenantName: "Second" };
    expect(
      await rejection(
        createFirstOwner(db, second, passwords, { kind: "setup_token", token }, null),
      ),
    ).toBeInstanceOf(OwnerAlreadyExistsError);
    expect(
      await rejection(createFirstOwner(db, second, passwords, { kind: "command_line" }, null)),
    ).toBeInstanceOf(OwnerAlreadyExistsError);
    // A launcher started now issues nothing.
    expect(await issueOwnerSetupToken(db)).toBeNull();
    expect(await footprint()).toEqual(before);
  });

  it("is closed by any existing user, not only an owner made here", async () => {
    const token = await issued();
    await createUser(db, [{ tenantId: (await createTenant(db)).id, role: "viewer" }]);
    expect(
      await rejection(createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null)),
    ).toBeInstanceOf(OwnerAlreadyExistsError);
    expect(await db.$count(users)).toBe(1);
  });

  it("makes one owner when two attempts race with the same token", async () => {
    const token = await issued();
    const outcomes = await Promise.allSettled([
      createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null),
      createFirstOwner(
        db,
        { ...OWNER, email: "rival@example.test" },
        passwords,
        { kind: "setup_token", token },
        null,
      ),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect(await db.$count(users)).toBe(1);
    expect(await db.$count(tenants)).toBe(1);
  });

  it("makes one owner when the command line races the page", async () => {
    const token = await issued();
    await Promise.allSettled([
      createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null),
      createFirstOwner(
        db,
        { ...OWNER, email: "cli@example.test" },
        passwords,
        { kind: "command_line" },
        null,
      ),
    ]);
    expect(await db.$count(users)).toBe(1);
    expect(await db.$count(memberships)).toBe(1);
  });

  it("from the command line needs no token, voids the printed one, and is audited as Skillrun", async () => {
    await issued();
    const owner = await createFirstOwner(db, OWNER, passwords, { kind: "command_line" }, null);
    expect(await db.$count(verifications)).toBe(0);
    const [entry] = await db.select().from(auditLog);
    expect(entry).toMatchObject({
      tenantId: owner.tenantId,
      actorType: "system",
      actorId: null,
      action: "tenant.create",
      metadata: { via: "command_line" },
    });
  });

  it("says what is wrong with each field, checks the token only for valid input, and writes nothing", async () => {
    const token = await issued();
    const before = await footprint();
    const error = await rejection(
      createFirstOwner(
        db,
        { name: "  ", email: "not-an-email", password: "short", tenantName: "x".repeat(101) },
        passwords,
        { kind: "setup_token", token: "wrong" },
        null,
      ),
    );
    expect(error).toBeInstanceOf(OwnerSetupInputError);
    expect(Object.keys((error as OwnerSetupInputError).fieldErrors).sort()).toEqual([
      "email",
      "name",
      "password",
      "tenantName",
    ]);
    expect((error as OwnerSetupInputError).fieldErrors.password).toEqual([
      `The password needs at least ${passwords.minLength} characters.`,
    ]);
    expect(await footprint()).toEqual(before);
    await createFirstOwner(db, OWNER, passwords, { kind: "setup_token", token }, null);
  });

  it("gives the tenant a slug no other tenant has", async () => {
    await createTenant(db, "Ops");
    await db.update(tenants).set({ slug: "ops" });
    const owner = await createFirstOwner(
      db,
      { ...OWNER, tenantName: "Ops" },
      passwords,
      { kind: "command_line" },
      null,
    );
    expect(owner.tenantSlug).toBe("ops-2");
  });
});
