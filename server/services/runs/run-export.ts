import "server-only";
import type { Database } from "@/server/db/client";
import { listRunsQuery, type RunCursor, type RunListFilters } from "./run-queries";

export const EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows per query: the export holds one page at a time, whatever the filter matches. */
export const EXPORT_PAGE_SIZE = 500;

type ListRow = Awaited<ReturnType<typeof listRunsQuery>>[number];

/** One exported run: the history list's row, flat, so CSV and JSONL have the same fields. */
function exportRecord(run: ListRow) {
  const [title, summary] = run.inputsLabel;
  return {
    id: run.id,
    status: run.status,
    source: run.source,
    skill_slug: run.skill.slug,
    skill_name: run.skill.name,
    agent_name: run.agent?.name ?? null,
    invoked_by:
      run.invoker.userName ??
      run.invoker.scheduleName ??
      run.invoker.webhookName ??
      run.invoker.apiKeyName ??
      null,
    title,
    inputs_summary: summary,
    /** The run's `key:value` tags; one CSV cell, joined with commas (a tag holds no comma). */
    tags: run.tags,
    failure_code: run.failureCode,
    failure_reason: run.failureReasonLine,
    input_tokens: run.inputTokens,
    output_tokens: run.outputTokens,
    cost_usd: run.costUsd,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}
type ExportRecord = ReturnType<typeof exportRecord>;

export const EXPORT_COLUMNS: readonly (keyof ExportRecord)[] = [
  "id",
  "status",
  "source",
  "skill_slug",
  "skill_name",
  "agent_name",
  "invoked_by",
  "title",
  "inputs_summary",
  "tags",
  "failure_code",
  "failure_reason",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "created_at",
  "started_at",
  "finished_at",
];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. Text
 * starting with = + - @ (or a tab or CR, which spreadsheets also read as a formula's start) gets
 * a leading apostrophe, so opening the file never runs a formula a run's inputs carried.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type CsvValue = string | number | null | readonly string[];
const csvLine = (cells: CsvValue[]) =>
  `${cells.map((cell) => csvCell(typeof cell === "object" && cell ? cell.join(",") : cell)).join(",")}\r\n`;

/** The tenant's runs matching `filters`, newest first, one keyset page of rows at a time. */
export async function* exportRunPages(
  db: Database,
  tenantId: string,
  filters: RunListFilters,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<ExportRecord[]> {
  let cursor: RunCursor | null = null;
  for (;;) {
    const rows = await listRunsQuery(db, tenantId, { filters, cursor, limit: pageSize });
    const page = rows.slice(0, pageSize);
    if (page.length) yield page.map(exportRecord);
    const last = page.at(-1);
    if (rows.length <= pageSize || !last) return;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * The export as a byte stream, pulled: the next page is read only when the consumer has taken
 * the previous one, so memory stays one page however many runs match.
 */
export function runExportStream(
  db: Database,
  tenantId: string,
  filters: RunListFilters,
  format: ExportFormat,
  pageSize = EXPORT_PAGE_SIZE,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = exportRunPages(db, tenantId, filters, pageSize);
  let headerSent = format !== "csv";
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvLine([...EXPORT_COLUMNS])));
          return;
        }
        const next = await pages.next();
        if (next.done) {
          controller.close();
          return;
        }
        const text = next.value
          .map((record) =>
            format === "csv"
              ? csvLine(EXPORT_COLUMNS.map((column) => record[column]))
              : `${JSON.stringify(record)}\n`,
          )
          .join("");
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** The download's file name and media type. */
export function exportFileOf(format: ExportFormat, now = new Date()) {
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return format === "csv"
    ? { name: `runs-${stamp}.csv`, contentType: "text/csv; charset=utf-8" }
    : { name: `runs-${stamp}.jsonl`, contentType: "application/x-ndjson; charset=utf-8" };
}
