/**
 * Names a statement by what it does to the queue's own tables, from its text as
 * pg_stat_statements keeps it: "insert runs + insert queue", "update runs + delete queue", …
 * So the counts stay readable (and comparable across commits) however the engine or pg-boss
 * spell their SQL.
 */
const TABLE_USE =
  /\b(insert\s+into|update|delete\s+from|from|join)\s+(?:only\s+)?"?(inngest_engine|pgboss)"?\s*\.\s*"?(\w+)"?/gi;

export function statementKind(query: string): string {
  const uses: string[] = [];
  for (const [, verb = "", , table] of query.matchAll(TABLE_USE)) {
    const action = verb.toLowerCase().split(/\s+/)[0];
    const use = `${action === "from" || action === "join" ? "read" : action} ${table}`;
    if (!uses.includes(use)) uses.push(use);
  }
  return uses.length ? uses.join(" + ") : query.replace(/\s+/g, " ").trim().slice(0, 60);
}

/** Calls per run by kind, most frequent first. */
export function statementKindsPerRun(rows: { calls: number; query: string }[], runs: number) {
  const byKind = new Map<string, number>();
  for (const row of rows) {
    const kind = statementKind(row.query);
    byKind.set(kind, (byKind.get(kind) ?? 0) + row.calls);
  }
  return [...byKind]
    .map(([kind, calls]) => ({ kind, perRun: calls / runs }))
    .sort((a, b) => b.perRun - a.perRun);
}
