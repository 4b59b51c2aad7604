import { readFile } from "node:fs/promises";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  KNOWLEDGE_SEARCH_LIMIT,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENTS_PER_KNOWLEDGE_BASE,
  uploadDocumentsForm,
} from "@/lib/knowledge-bases";
import { agentKnowledgeBases, agents, auditLog, kbDocuments } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import { searchKnowledgeBases } from "@/server/services/catalog/knowledge";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure as failure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

const member = async (tenantId: string, role: MemberRole) =>
  (await signedInMember(db, auth, tenantId, role)).caller;
const file = (name: string, content: string | Uint8Array) =>
  new File([typeof content === "string" ? content : new Uint8Array(content)], name);
const travelPolicyPdf = async () =>
  new Uint8Array(await readFile("e2e/fixtures/travel-policy.pdf"));
/** A one-page PDF that draws nothing: no text to extract. */
const blankPdf = () => {
  const body = [
    "%PDF-1.4",
    "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
    "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
    "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj",
    "trailer << /Root 1 0 R >>",
    "%%EOF",
  ].join("\n");
  return new TextEncoder().encode(body);
};

async function world() {
  const setup = await createTenantWithSkill(db);
  const admin = await member(setup.tenant.id, "admin");
  const knowledgeBase = await admin.knowledgeBases.create({ name: "Handbook", description: "" });
  return { ...setup, admin, knowledgeBaseId: knowledgeBase.id };
}

describe("knowledge bases", () => {
  it("uploads Markdown, text and PDF, lists them with sizes, and searches them as the agent's tool would", async () => {
    const { tenant, admin, knowledgeBaseId } = await world();
    const uploaded = await admin.knowledgeBases.upload(
      uploadDocumentsForm(knowledgeBaseId, [
        file("onboarding.md", "Intro line.\n\n# Onboarding guide\n\nNew hires get a laptop."),
        file("parking-rules.txt", "Parking is free on weekends."),
        file("travel-policy.pdf", await travelPolicyPdf()),
      ]),
    );
    expect(uploaded.documents.map((document) => document.title)).toEqual([
      "Onboarding guide",
      "parking-rules",
      "travel-policy",
    ]);
    const [pdf] = await db
      .select({ content: kbDocuments.content })
      .from(kbDocuments)
      .where(eq(kbDocuments.title, "travel-policy"));
    expect(pdf?.content).toContain("Economy class for flights under six hours.");

    const viewer = await member(tenant.id, "viewer");
    const detail = await viewer.knowledgeBases.get({ knowledgeBaseId });
    expect(detail.documents).toHaveLength(3);
    expect(detail.documents.find((document) => document.title === "parking-rules")?.bytes).toBe(
      "Parking is free on weekends.".length,
    );
    const [listed] = await viewer.knowledgeBases.list();
    expect(listed).toMatchObject({ name: "Handbook", documentCount: 3 });
    expect(listed?.totalBytes).toBe(detail.documents.reduce((sum, d) => sum + d.bytes, 0));

    const searched = await viewer.knowledgeBases.search({ knowledgeBaseId, query: "flights" });
    expect(searched.limit).toBe(KNOWLEDGE_SEARCH_LIMIT);
    expect(searched.hits.map((hit) => hit.title)).toEqual(["travel-policy"]);
    expect(searched.hits[0]?.snippet).toContain("<b>flights</b>");
    expect(searched.hits).toEqual(
      await searchKnowledgeBases(db, {
        tenantId: tenant.id,
        knowledgeBaseIds: [knowledgeBaseId],
        query: "flights",
        limit: KNOWLEDGE_SEARCH_LIMIT,
      }),
    );

    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "kb_document.upload")));
    expect(entries.map((entry) => entry.metadata.fileName).sort()).toEqual([
      "onboarding.md",
      "parking-rules.txt",
      "travel-policy.pdf",
    ]);
    expect(JSON.stringify(entries)).not.toContain("laptop");
  });

  it("refuses a whole upload, naming each file and the limit, when any file is oversized, unsupported or without text; nothing is stored", async () => {
    const { admin, knowledgeBaseId } = await world();
    const before = await fingerprintTables(db);
    const refused = await failure(
      admin.knowledgeBases.upload(
        uploadDocumentsForm(knowledgeBaseId, [
          file("fine.md", "# Fine\n\nAll good."),
          file("huge.txt", "x".repeat(MAX_DOCUMENT_BYTES + 1)),
          file("contract.docx", "PK\u0003\u0004"),
          file("scan.pdf", blankPdf()),
        ]),
      ),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.fieldErrors?.files).toEqual([
      "huge.txt: 2.1 MB is over the 2 MB limit per file.",
      "contract.docx: this type of file is not supported; upload .md, .markdown, .txt, .pdf files.",
      "scan.pdf: this PDF has no text to extract (a scan or images only); upload a PDF with selectable text.",
    ]);
    expect(refused.message).toContain("Nothing was uploaded");
    expect(await fingerprintTables(db)).toEqual(before);
  });

  it(`refuses documents past ${MAX_DOCUMENTS_PER_KNOWLEDGE_BASE} per knowledge base, naming the files that do not fit`, async () => {
    const { tenant, admin, knowledgeBaseId } = await world();
    await db.insert(kbDocuments).values(
      Array.from({ length: MAX_DOCUMENTS_PER_KNOWLEDGE_BASE - 1 }, (_, index) => ({
        tenantId: tenant.id,
        knowledgeBaseId,
        title: `Document ${index}`,
        content: "Filler.",
      })),
    );
    const refused = await failure(
      admin.knowledgeBases.upload(
        uploadDocumentsForm(knowledgeBaseId, [file("a.md", "A"), file("b.md", "B")]),
      ),
    );
    expect(refused.fieldErrors?.files).toEqual([
      `Handbook holds ${MAX_DOCUMENTS_PER_KNOWLEDGE_BASE - 1} of its ${MAX_DOCUMENTS_PER_KNOWLEDGE_BASE} documents, so only 1 more fits; b.md would go over the limit. Delete documents or upload fewer.`,
    ]);
    await admin.knowledgeBases.upload(uploadDocumentsForm(knowledgeBaseId, [file("a.md", "A")]));
    expect((await admin.knowledgeBases.get({ knowledgeBaseId })).documents).toHaveLength(
      MAX_DOCUMENTS_PER_KNOWLEDGE_BASE,
    );
  });

  it("refuses a duplicate name with a field error, and edits name and description with a readable before/after", async () => {
    const { tenant, admin, knowledgeBaseId } = await world();
    expect(
      await failure(admin.knowledgeBases.create({ name: "Handbook", description: "" })),
    ).toMatchObject({ code: "CONFLICT", fieldErrors: { name: [expect.any(String)] } });
    const other = await admin.knowledgeBases.create({ name: "Archive", description: "" });
    expect(
      await failure(
        admin.knowledgeBases.update({
          knowledgeBaseId: other.id,
          knowledgeBase: { name: "Handbook", description: "" },
        }),
      ),
    ).toMatchObject({ code: "CONFLICT" });
    await admin.knowledgeBases.update({
      knowledgeBaseId,
      knowledgeBase: { name: "Staff handbook", description: "For everyone" },
    });
    const [entry] = await db
      .select({ metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "knowledge_base.update")));
    expect(entry?.metadata.changes).toEqual([
      { field: "Name", before: "Handbook", after: "Staff handbook" },
      { field: "Description", before: null, after: "For everyone" },
    ]);
  });

  it("deletes a knowledge base an agent uses, naming the agent; the link goes, the agent stays", async () => {
    const { agent, admin, knowledgeBaseId } = await world();
    await db.insert(agentKnowledgeBases).values({ agentId: agent.id, knowledgeBaseId });
    expect((await admin.knowledgeBases.get({ knowledgeBaseId })).usedBy).toEqual([
      { id: agent.id, name: agent.name },
    ]);
    const deleted = await admin.knowledgeBases.delete({ knowledgeBaseId });
    expect(deleted.removedFromAgents).toEqual([{ id: agent.id, name: agent.name }]);
    expect(
      await db.select().from(agentKnowledgeBases).where(eq(agentKnowledgeBases.agentId, agent.id)),
    ).toEqual([]);
    expect(await db.select({ id: agents.id }).from(agents).where(eq(agents.id, agent.id))).toEqual([
      { id: agent.id },
    ]);
    expect(await failure(admin.knowledgeBases.get({ knowledgeBaseId }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("deletes a document of its own tenant only", async () => {
    const mine = await world();
    const theirs = await world();
    const {
      documents: [theirDocument],
    } = await theirs.admin.knowledgeBases.upload(
      uploadDocumentsForm(theirs.knowledgeBaseId, [file("secret.md", "Their secret.")]),
    );
    const theirDocumentId = theirDocument?.id ?? "";
    expect(
      await failure(mine.admin.knowledgeBases.deleteDocument({ documentId: theirDocumentId })),
    ).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await failure(
        mine.admin.knowledgeBases.upload(
          uploadDocumentsForm(theirs.knowledgeBaseId, [file("a.md", "A")]),
        ),
      ),
    ).toMatchObject({ code: "NOT_FOUND" });
    await theirs.admin.knowledgeBases.deleteDocument({ documentId: theirDocumentId });
    expect((await theirs.admin.knowledgeBases.get(theirs)).documents).toEqual([]);
  });

  it("lets a viewer search but not change anything", async () => {
    const { tenant, knowledgeBaseId } = await world();
    const viewer = await member(tenant.id, "viewer");
    expect(
      (await viewer.knowledgeBases.search({ knowledgeBaseId, query: "anything" })).hits,
    ).toEqual([]);
    expect(
      await failure(
        viewer.knowledgeBases.upload(uploadDocumentsForm(knowledgeBaseId, [file("a.md", "A")])),
      ),
    ).toMatchObject({ code: "FORBIDDEN" });
  });
});
