import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_CHARS, readDocument } from "./document-text";

const file = (name: string, content: string | Uint8Array) =>
  new File([typeof content === "string" ? content : new Uint8Array(content)], name);
const problemOf = async (upload: File) => {
  const outcome = await readDocument(upload);
  return outcome.ok ? null : outcome.problem;
};

describe("reading an uploaded file", () => {
  it("titles Markdown by its first level-one heading, anything else by its file name", async () => {
    const markdown = await readDocument(
      file("notes.MD", "Preamble.\n\n## Not this\n\n# Release notes ##\n\nBody."),
    );
    expect(markdown).toMatchObject({
      ok: true,
      document: { kind: "markdown", title: "Release notes" },
    });
    const plain = await readDocument(file("q3.plan.txt", "# Not a heading in text"));
    expect(plain).toMatchObject({ ok: true, document: { kind: "text", title: "q3.plan" } });
  });

  it("extracts a PDF's text", async () => {
    const pdf = await readDocument(
      file("travel-policy.pdf", await readFile("e2e/fixtures/travel-policy.pdf")),
    );
    expect(pdf.ok && pdf.document.content).toContain("Submit receipts for reimbursement");
  });

  it("keeps text PostgreSQL cannot store out, and drops a byte-order mark", async () => {
    const read = await readDocument(file("odd.txt", "\ufeffA\u0000B"));
    expect(read.ok && read.document.content).toBe("A\ufffdB");
  });

  it("refuses, naming the file: not UTF-8, empty, a .pdf that is not a PDF, a damaged PDF", async () => {
    expect(await problemOf(file("latin1.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9])))).toBe(
      "latin1.txt: this is not UTF-8 text; save it as UTF-8 and upload again.",
    );
    expect(await problemOf(file("blank.md", "  \n\n"))).toBe("blank.md: the file is empty.");
    expect(await problemOf(file("fake.pdf", "hello"))).toBe(
      "fake.pdf: this is not a PDF file, although its name ends in .pdf.",
    );
    expect(await problemOf(file("broken.pdf", "%PDF-1.4 nothing else"))).toBe(
      "broken.pdf: this PDF could not be read (damaged or password-protected).",
    );
  });

  it("refuses a file whose text is over the character limit, naming the file and the limit", async () => {
    expect(await problemOf(file("exact.txt", "a".repeat(MAX_DOCUMENT_CHARS)))).toBeNull();
    expect(await problemOf(file("long.txt", "a".repeat(MAX_DOCUMENT_CHARS + 1)))).toBe(
      "long.txt: its text is 2,000,001 characters, over the 2,000,000-character limit per file; split it into smaller files.",
    );
  });
});
