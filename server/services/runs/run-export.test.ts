import { describe, expect, it } from "vitest";
import { listRunsInput } from "@/lib/schemas/runs";
import { skillRuns, type RunStatus } from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { csvCell, EXPORT_COLUMNS, runExportStream } from "./run-export";
import { listRuns } from "./run-queries";

const { db } = openTestDatabase();
type World = Awaited<ReturnType<typeof createTenantWithSkill>>;

async function runs(world: World, count: number, status: RunStatus, inputs = {}) {
  const rows = await db
    .insert(skillRuns)
    .values(
      Array.from({ length: count }, (_, i) => ({
        tenantId: world.tenant.id,
        skillId: world.skill.id,
        skillVersion: "v1",
        source: "manual" as const,
        inputs,
        status,
        createdAt: new Date(Date.now() - i * 1000),
      })),
    )
    .returning({ id: skillRuns.id });
  return rows.map((row) => row.id);
}

const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

/** A minimal RFC 4180 reader, enough to prove the writer's quoting round-trips. */
function parseCsv(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (quoted && char === '"' && body[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && char === '"') quoted = false;
    else if (quoted) cell += char;
    else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && body[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += char;
  }
  return rows;
}

describe("csvCell", () => {
  it("quotes commas, quotes and line breaks, and leaves plain text alone", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("defuses cells a spreadsheet would run as a formula", () => {
    for (const formula of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"])
      expect(csvCell(formula)).toMatch(/^"?'/);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});

describe("runExportStream", () => {
  it("streams every matching run page by page, newest first, in both formats", async () => {
    const world = await createTenantWithSkill(db);
    const complete = await runs(world, 7, "complete");
    await runs(world, 3, "failed");
    const filters = { status: ["complete" as const] };

    const jsonl = await text(runExportStream(db, world.tenant.id, filters, "jsonl", 2));
    const records = jsonl
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; status: string });
    expect(records.map((record) => record.id)).toEqual(complete);

    const csv = parseCsv(await text(runExportStream(db, world.tenant.id, filters, "csv", 3)));
    expect(csv[0]).toEqual([...EXPORT_COLUMNS]);
    expect(csv.slice(1).map((row) => row[0])).toEqual(complete);
  });

  it("writes inputs with quotes, commas, newlines and formulas so they read back intact", async () => {
    const world = await createTenantWithSkill(db);
    await runs(world, 1, "complete", { title: '=cmd|"/c calc", then\nmore' });
    const csv = parseCsv(await text(runExportStream(db, world.tenant.id, {}, "csv")));
    expect(csv).toHaveLength(2);
    const summary = csv[1]![EXPORT_COLUMNS.indexOf("inputs_summary")];
    expect(summary).toBe('title: =cmd|"/c calc", then more');
  });

  it("defuses a formula at the start of a cell in the file", async () => {
    const world = await createTenantWithSkill(db);
    await db.insert(skillRuns).values({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "manual",
      inputs: {},
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: '=HYPERLINK("http://evil")',
    });
    const csv = parseCsv(await text(runExportStream(db, world.tenant.id, {}, "csv")));
    expect(csv[1]![EXPORT_COLUMNS.indexOf("failure_reason")]).toBe(`'=HYPERLINK("http://evil")`);
  });

  it("exports a run's tags, and exactly the rows runs.list shows for tags and search", async () => {
    const world = await createTenantWithSkill(db);
    const seeded = [
      { inputs: { topic: "invoice dispute" }, tags: ["team:alpha", "env:prod"] },
      { inputs: { topic: "invoice paid" }, tags: ["team:alpha"] },
      { inputs: { topic: "invoice paid" }, tags: ["team:beta"] },
      { inputs: { topic: "kickoff" }, tags: ["team:alpha", "env:prod"] },
      { inputs: { topic: "invoice overdue" }, tags: ["env:prod", "team:alpha"] },
    ];
    for (const [index, run] of seeded.entries())
      await db.insert(skillRuns).values({
        tenantId: world.tenant.id,
        skillId: world.skill.id,
        skillVersion: "v1",
        source: "manual",
        status: "complete",
        createdAt: new Date(Date.now() - index * 1000),
        ...run,
      });
    const filters = listRunsInput
      .omit({ cursor: true, limit: true })
      .parse({ tags: ["team:alpha", "env:prod"], search: "invoice" });
    const listed = (await listRuns(db, world.tenant.id, { filters, cursor: null, limit: 50 })).runs;
    expect(listed).toHaveLength(2);

    const jsonl = (await text(runExportStream(db, world.tenant.id, filters, "jsonl", 1)))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; tags: string[] });
    expect(jsonl.map(({ id, tags }) => ({ id, tags }))).toEqual(
      listed.map(({ id, tags }) => ({ id, tags })),
    );

    const [header, ...rows] = parseCsv(
      await text(runExportStream(db, world.tenant.id, filters, "csv")),
    );
    const at = (name: string) => header!.indexOf(name);
    expect(rows.map((row) => ({ id: row[at("id")], tags: row[at("tags")] }))).toEqual(
      listed.map(({ id, tags }) => ({ id, tags: tags.join(",") })),
    );
    expect(rows[0]![at("tags")]).toBe("team:alpha,env:prod");
  });

  it("exports only the tenant's runs", async () => {
    const world = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const mine = await runs(world, 2, "complete");
    const theirs = await runs(other, 2, "complete");
    const body = await text(runExportStream(db, world.tenant.id, {}, "jsonl"));
    for (const id of mine) expect(body).toContain(id);
    for (const id of theirs) expect(body).not.toContain(id);
  });
});
