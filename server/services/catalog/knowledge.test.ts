import { describe, expect, it } from "vitest";
import { kbDocuments, knowledgeBases } from "@/server/db/schema";
import { createTenant, openTestDatabase } from "@/test/fixtures";
import { searchKnowledgeBases } from "./knowledge";

const { db } = openTestDatabase();

async function knowledgeBaseWith(tenantId: string, name: string, documents: string[]) {
  const [knowledgeBase] = await db
    .insert(knowledgeBases)
    .values({ tenantId, name })
    .returning({ id: knowledgeBases.id });
  await db.insert(kbDocuments).values(
    documents.map((content, index) => ({
      tenantId,
      knowledgeBaseId: knowledgeBase!.id,
      title: `${name} ${index + 1}`,
      content,
    })),
  );
  return knowledgeBase!.id;
}

describe("searchKnowledgeBases", () => {
  it("finds matching documents of the named knowledge bases only, best match first, with a snippet", async () => {
    const tenant = await createTenant(db);
    const handbook = await knowledgeBaseWith(tenant.id, "Handbook", [
      "Northwind renews on 1 October with a 4% cap.",
      "Northwind and Contoso: Northwind renewal terms, Northwind renewal dates.",
      "Parking is free on weekends.",
    ]);
    const archive = await knowledgeBaseWith(tenant.id, "Archive", ["Northwind renewal, 2019."]);

    const hits = await searchKnowledgeBases(db, {
      tenantId: tenant.id,
      knowledgeBaseIds: [handbook],
      query: "Northwind renewal",
      limit: 5,
    });
    expect(hits.map((hit) => hit.title)).toEqual(["Handbook 2", "Handbook 1"]);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits[0]!.snippet).toContain("<b>Northwind</b>");

    const both = await searchKnowledgeBases(db, {
      tenantId: tenant.id,
      knowledgeBaseIds: [handbook, archive],
      query: "Northwind renewal",
      limit: 2,
    });
    expect(both).toHaveLength(2);
    expect(
      await searchKnowledgeBases(db, {
        tenantId: tenant.id,
        knowledgeBaseIds: [],
        query: "Northwind",
        limit: 5,
      }),
    ).toEqual([]);
  });

  it("never reads another tenant's documents, even when asked for its knowledge base by id", async () => {
    const mine = await createTenant(db);
    const theirs = await createTenant(db);
    const theirHandbook = await knowledgeBaseWith(theirs.id, "Handbook", [
      "Northwind renews on 1 October.",
    ]);
    const search = (tenantId: string) =>
      searchKnowledgeBases(db, {
        tenantId,
        knowledgeBaseIds: [theirHandbook],
        query: "Northwind",
        limit: 5,
      });
    expect(await search(mine.id)).toEqual([]);
    expect(await search(theirs.id)).toHaveLength(1);
  });
});
