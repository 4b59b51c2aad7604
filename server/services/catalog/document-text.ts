import "server-only";
import {
  ACCEPTED_DOCUMENT_EXTENSIONS,
  DOCUMENT_KIND_OF_EXTENSION,
  extensionOf,
  formatMegabytes,
  MAX_DOCUMENT_BYTES,
  type DocumentKind,
} from "@/lib/knowledge-bases";

/**
 * A document's text is refused past this: a PDF's extracted text can be far longer than its
 * bytes suggest, and every character is stored, chunked and embedded.
 */
export const MAX_DOCUMENT_CHARS = 2_000_000;

/** Longer titles are cut: a title is a label in search results, the content holds the rest. */
const MAX_TITLE_CHARS = 200;

export type ReadDocument = {
  fileName: string;
  kind: DocumentKind;
  title: string;
  content: string;
  /** The file's size as uploaded. */
  bytes: number;
};

/** A file read as a document, or why it cannot be one (a sentence naming the file). */
export type ReadOutcome = { ok: true; document: ReadDocument } | { ok: false; problem: string };

/**
 * Characters PostgreSQL's text refuses (U+0000, unpaired surrogates) become U+FFFD: PDFs and
 * text files carry them now and then, and one should not refuse a whole document.
 */
const storable = (text: string) =>
  text.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    "\ufffd",
  );

function clip(title: string): string {
  const clean = storable(title).trim();
  return clean.length > MAX_TITLE_CHARS ? `${clean.slice(0, MAX_TITLE_CHARS - 1)}…` : clean;
}

/** A markdown document's first level-one heading, when it has one. */
function firstHeading(markdown: string): string | null {
  const match = /^#[ \t]+(.+?)[ \t#]*$/m.exec(markdown);
  return match?.[1]?.trim() || null;
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

async function pdfText(bytes: Uint8Array): Promise<string | null> {
  // Loaded on first use: only uploads need pdf.js.
  const { extractText, getDocumentProxy } = await import("unpdf");
  try {
    const pdf = await getDocumentProxy(bytes, { verbosity: 0 });
    const { text } = await extractText(pdf, { mergePages: true });
    await pdf.destroy();
    return text;
  } catch {
    return null;
  }
}

/**
 * Reads one uploaded file: its kind from its name's ending, its text (a PDF's extracted with
 * unpdf), its title (the file's name without the ending, or a markdown file's first `# heading`).
 */
export async function readDocument(file: File): Promise<ReadOutcome> {
  const name = file.name || "(unnamed file)";
  const refuse = (reason: string): ReadOutcome => ({ ok: false, problem: `${name}: ${reason}` });
  const kind = DOCUMENT_KIND_OF_EXTENSION[extensionOf(name)];
  if (!kind)
    return refuse(
      `this type of file is not supported; upload ${ACCEPTED_DOCUMENT_EXTENSIONS.join(", ")} files.`,
    );
  if (file.size > MAX_DOCUMENT_BYTES)
    return refuse(
      `${formatMegabytes(file.size)} is over the ${formatMegabytes(MAX_DOCUMENT_BYTES)} limit per file.`,
    );
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text: string | null;
  if (kind === "pdf") {
    if (new TextDecoder().decode(bytes.subarray(0, 5)) !== "%PDF-")
      return refuse("this is not a PDF file, although its name ends in .pdf.");
    text = await pdfText(bytes);
    if (text === null) return refuse("this PDF could not be read (damaged or password-protected).");
    if (!text.trim())
      return refuse(
        "this PDF has no text to extract (a scan or images only); upload a PDF with selectable text.",
      );
  } else {
    text = decodeUtf8(bytes);
    if (text === null) return refuse("this is not UTF-8 text; save it as UTF-8 and upload again.");
    if (!text.trim()) return refuse("the file is empty.");
  }
  const content = storable(text.replace(/^\ufeff/, ""));
  if (content.length > MAX_DOCUMENT_CHARS)
    return refuse(
      `its text is ${content.length.toLocaleString("en")} characters, over the ${MAX_DOCUMENT_CHARS.toLocaleString("en")}-character limit per file; split it into smaller files.`,
    );
  const baseName = name.slice(0, name.length - extensionOf(name).length);
  const heading = kind === "markdown" ? firstHeading(content) : null;
  return {
    ok: true,
    document: {
      fileName: name,
      kind,
      title: clip(heading ?? baseName) || name,
      content,
      bytes: file.size,
    },
  };
}
