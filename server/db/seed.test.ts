import { count, eq } from "drizzle-orm";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { syncBuiltInSkills } from "@/server/services/catalog/skill-catalog";
import { callerFor, signIn, openTestDatabase } from "@/test/fixtures";
import { agents, agentSkills, agentTemplates, kbDocuments, tenants } from "./schema";
import { DEMO_ADMIN, DEMO_TENANT_SLUG, SECOND_TENANT_OWNER } from "./demo-accounts";
import { seedDemoData } from "./seed";

const { db, auth } = openTestDatabase();

describe("demo seed", () => {
  it("creates the demo tenants once and is a no-op afterwards", async () => {
    await syncBuiltInSkills(db, path.resolve("skills"));
    expect(await seedDemoData(db)).toEqual({ created: true });
    expect(await seedDemoData(db)).toEqual({ created: false });
    expect(await db.$count(tenants)).toBe(2);
  });

  it("gives the demo tenant three agents with one default, templates on the deployment model, skills and a searchable knowledge base", async () => {
    const acme = await db.query.tenants.findFirst({ where: eq(tenants.slug, DEMO_TENANT_SLUG) });
    if (!acme) throw new Error("demo tenant missing");
    const acmeAgents = await db.select().from(agents).where(eq(agents.tenantId, acme.id));
    expect(acmeAgents).toHaveLength(3);
    expect(acmeAgents.filter((agent) => agent.isDefault)).toHaveLength(1);
    expect(acmeAgents.every((agent) => agent.modelOverride === null)).toBe(true);

    const templates = await db
      .select()
      .from(agentTemplates)
      .where(eq(agentTemplates.tenantId, acme.id));
    expect(templates).toHaveLength(2);
    expect(templates.every((template) => template.defaultModel === null)).toBe(true);

    const [assigned] = await db.select({ value: count() }).from(agentSkills);
    expect(assigned?.value).toBeGreaterThanOrEqual(6);

    const hits = await db.execute<{ title: string }>(
      `select title from kb_documents where search_vector @@ websearch_to_tsquery('english', 'Northwind renewal')`,
    );
    expect(hits.map((hit) => hit.title)).toContain("Vendor renewal policy");
    expect(await db.$count(kbDocuments)).toBeGreaterThanOrEqual(4);
  });

  it("lets the demo admin sign in and switch between both tenants, and the second tenant's owner see only theirs", async () => {
    const admin = await (
      await callerFor(db, auth, await signIn(auth, DEMO_ADMIN.email, DEMO_ADMIN.password))
    ).viewer.get();
    expect(admin.activeTenant?.name).toBe("Acme Operations");
    expect(admin.tenants.map((tenant) => `${tenant.slug}:${tenant.role}`)).toEqual([
      "acme:owner",
      "globex:viewer",
    ]);

    const owner = await (
      await callerFor(
        db,
        auth,
        await signIn(auth, SECOND_TENANT_OWNER.email, SECOND_TENANT_OWNER.password),
      )
    ).viewer.get();
    expect(owner.tenants.map((tenant) => tenant.slug)).toEqual(["globex"]);
  });
});
