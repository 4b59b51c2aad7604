/**
 * A document upload as the browser sends it: multipart form data to the upload procedure, the
 * one tRPC request allowed more than the usual 1 MB body, and only up to its own cap.
 */
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { beforeAll, describe, expect, it } from "vitest";
import {
  MAX_DOCUMENT_BYTES,
  MAX_UPLOAD_BODY_BYTES,
  uploadDocumentsForm,
} from "@/lib/knowledge-bases";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { MAX_TRPC_BODY_BYTES } from "@/lib/trpc-limits";
import { kbDocuments, knowledgeBases } from "@/server/db/schema";
import { MAX_DOCUMENT_CHARS } from "@/server/services/catalog/document-text";
import { createTenantWithSkill, createUser, openTestDatabase, signIn } from "@/test/fixtures";
import { handleTRPCRequest } from "./http-handler";

const { db, auth } = openTestDatabase();
const dispatcher = new Inngest({
  id: "kb-upload-http-test",
  isDev: true,
  baseUrl: "http://127.0.0.1:9",
});

let headers: Headers;
let knowledgeBaseId: string;
beforeAll(async () => {
  const { tenant } = await createTenantWithSkill(db);
  const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
  headers = new Headers(await signIn(auth, admin.email));
  headers.set(TENANT_HEADER, tenant.id);
  const [knowledgeBase] = await db
    .insert(knowledgeBases)
    .values({ tenantId: tenant.id, name: "Handbook" })
    .returning({ id: knowledgeBases.id });
  knowledgeBaseId = knowledgeBase?.id ?? "";
});

/** A multipart POST as `fetch` sends FormData (the content type carries the boundary). */
async function post(path: string, form: FormData, signedIn = true) {
  const encoded = new Request("http://localhost/", { method: "POST", body: form });
  const sent = signedIn ? [...headers] : [];
  const request = new Request(`http://localhost/api/trpc/${path}`, {
    method: "POST",
    headers: new Headers([...sent, ["content-type", encoded.headers.get("content-type") ?? ""]]),
    body: await encoded.arrayBuffer(),
  });
  const response = await handleTRPCRequest(request, { context: () => ({ db, auth, dispatcher }) });
  return { status: response.status, body: JSON.stringify(await response.json()) };
}

const documentsStored = async () =>
  (
    await db
      .select({ id: kbDocuments.id })
      .from(kbDocuments)
      .where(eq(kbDocuments.knowledgeBaseId, knowledgeBaseId))
  ).length;

describe("uploading documents over HTTP", () => {
  it(`takes a file past the ${MAX_TRPC_BODY_BYTES}-byte tRPC body cap at the upload procedure only`, async () => {
    // Within the per-file limits: its bytes and, a text file's characters being its bytes, its text.
    const bigText = `# Big\n\n${"word ".repeat((Math.min(MAX_DOCUMENT_BYTES, MAX_DOCUMENT_CHARS) - 100) / 5)}`;
    expect(bigText.length).toBeGreaterThan(MAX_TRPC_BODY_BYTES);
    const form = () => uploadDocumentsForm(knowledgeBaseId, [new File([bigText], "big.md")]);

    const elsewhere = await post("knowledgeBases.create", form());
    expect(elsewhere.status).toBe(413);

    // Without a session the upload path keeps the usual cap: nobody signed out makes it buffer more.
    const signedOut = await post("knowledgeBases.upload", form(), false);
    expect(signedOut.status).toBe(413);

    const uploaded = await post("knowledgeBases.upload", form());
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toContain('"title":"Big"');
    expect(await documentsStored()).toBe(1);
  });

  it(`answers 413 past ${MAX_UPLOAD_BODY_BYTES} bytes, storing nothing`, async () => {
    const before = await documentsStored();
    const files = Array.from(
      { length: 11 },
      (_, index) => new File(["x".repeat(MAX_DOCUMENT_BYTES)], `part-${index}.txt`),
    );
    const refused = await post(
      "knowledgeBases.upload",
      uploadDocumentsForm(knowledgeBaseId, files),
    );
    expect(refused.status).toBe(413);
    expect(refused.body).toContain("The request body is over");
    expect(await documentsStored()).toBe(before);
  });
});
