/**
 * What the launcher's database step leaves behind: with no demo asked for, the catalog and no
 * account at all (H1 of the security review: every `npm start` used to seed owners with the
 * published password), plus a setup token for the first owner.
 */
import { verifyPassword } from "better-auth/crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DEMO_ADMIN, SECOND_TENANT_OWNER } from "@/server/db/demo-accounts";
import {
  accounts,
  mcpServers,
  memberships,
  skills,
  tenants,
  users,
  verifications,
} from "@/server/db/schema";
import { generateEncryptionKey } from "@/server/crypto/encryption-key";
import { decryptSecret, keyringOf } from "@/server/crypto/secrets";
import { createTenant, openTestDatabase } from "@/test/fixtures";
import { prepareDatabase } from "./database";

const { db } = openTestDatabase();
const url = () => {
  if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
  return process.env.DATABASE_URL;
};

describe("prepareDatabase", () => {
  it("without the demo loads the built-in catalog, creates no user, tenant or credential, and issues a setup token", async () => {
    const prepared = await prepareDatabase(url(), { seed: false, ownerSetup: true });
    expect(prepared.catalog.loaded).toBeGreaterThan(0);
    expect(prepared.seeded).toEqual({ created: false });
    expect(prepared.demoPasswords).toEqual([]);
    expect(await db.$count(skills)).toBe(prepared.catalog.loaded);
    expect(await db.$count(users)).toBe(0);
    expect(await db.$count(accounts)).toBe(0);
    expect(await db.$count(tenants)).toBe(0);
    expect(await db.$count(memberships)).toBe(0);

    expect(prepared.ownerSetup?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await db.select().from(verifications);
    // Only the hash is kept.
    expect(stored?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.value).not.toContain(prepared.ownerSetup?.token);
  });

  it("replaces the setup token on every start: only the newest one is stored", async () => {
    const first = await prepareDatabase(url(), { seed: false, ownerSetup: true });
    const second = await prepareDatabase(url(), { seed: false, ownerSetup: true });
    expect(second.ownerSetup?.token).not.toBe(first.ownerSetup?.token);
    expect(await db.$count(verifications)).toBe(1);
  });

  it("with the demo seeds the demo accounts and issues no setup token; a later start without the demo names them as still on the published password", async () => {
    const demo = await prepareDatabase(url(), { seed: true, ownerSetup: true });
    expect(demo.seeded).toEqual({ created: true });
    expect(demo.ownerSetup).toBeNull();
    expect(await db.$count(verifications)).toBe(0);
    const [admin] = await db
      .select({ hash: accounts.password })
      .from(accounts)
      .innerJoin(users, eq(users.id, accounts.userId))
      .where(eq(users.email, DEMO_ADMIN.email));
    expect(
      admin?.hash && (await verifyPassword({ hash: admin.hash, password: DEMO_ADMIN.password })),
    ).toBe(true);

    const production = await prepareDatabase(url(), { seed: false, ownerSetup: true });
    expect(production.ownerSetup).toBeNull();
    expect(production.demoPasswords.sort()).toEqual(
      [DEMO_ADMIN.email, SECOND_TENANT_OWNER.email].sort(),
    );
  });

  it("with the launcher's keyring, encrypts an MCP token stored in plain text before anything else", async () => {
    const tenant = await createTenant(db);
    const [server] = await db
      .insert(mcpServers)
      .values({
        tenantId: tenant.id,
        name: "Legacy",
        url: "https://mcp.example.com/mcp",
        authToken: "legacy-token",
      })
      .returning({ id: mcpServers.id });
    const keyring = keyringOf(generateEncryptionKey());
    await prepareDatabase(url(), { seed: false, keyring });
    const [stored] = await db
      .select({ authToken: mcpServers.authToken })
      .from(mcpServers)
      .where(eq(mcpServers.id, server!.id));
    expect(stored?.authToken).toMatch(/^enc:v1:/);
    expect(decryptSecret(stored?.authToken ?? "", keyring)).toBe("legacy-token");
  });
});
