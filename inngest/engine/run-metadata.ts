/**
 * Run and step metadata (`POST /v1/runs/:runId/metadata`), as the Go server's `addRunMetadata`
 * (pkg/api/apiv1/metadata.go, pkg/tracing/metadata): what `client.score()`, `step.score()`,
 * `inngest.metadata.update()` and scorers send when the update cannot ride on the step's own
 * answer. The engine keeps each update as a row (`run_metadata`, deleted with its run) and
 * combines a target's updates of one kind in order when they are read (`combineMetadata`).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { EngineLogLine } from "./engine-types";
import { SCHEMA, type Sql } from "./store";

/** Go's `consts.MaxMetadataSpanSize`: one update's values. */
export const MAX_METADATA_UPDATE_BYTES = 64 * 1024;
/** Go's `consts.MaxRunMetadataSize`: every update of a run together. */
export const MAX_RUN_METADATA_BYTES = 1024 * 1024;
/** A request can never carry more than a run may hold, plus the envelope. */
export const MAX_METADATA_BODY_BYTES = MAX_RUN_METADATA_BYTES + 64 * 1024;

const MAX_KIND_LENGTH = 128;
const MAX_SCORE_NAME_BYTES = 128;
const SCORE_KIND = "inngest.score";
/** The `inngest.*` kinds an SDK may write; any other `inngest.` kind is internal (Go's allowlist). */
const ALLOWED_INNGEST_KINDS = new Set([
  "inngest.ai",
  "inngest.http",
  "inngest.http.timing",
  "inngest.response_headers",
  "inngest.warnings",
  "inngest.experiment",
  SCORE_KIND,
]);

const optionalInt = z.number().int().nullish();

/** What `InngestApi.updateMetadata` (inngest@4.24) posts. */
export const runMetadataBodySchema = z.object({
  target: z.object({
    run_id: z.string().optional(),
    step_id: z.string().nullish(),
    step_index: optionalInt,
    step_attempt: optionalInt,
    span_id: z.string().nullish(),
  }),
  metadata: z.array(
    z.object({
      kind: z.string(),
      op: z.enum(["merge", "set", "delete", "add"]),
      values: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type RunMetadataBody = z.infer<typeof runMetadataBodySchema>;
export type MetadataUpdate = RunMetadataBody["metadata"][number];
export type MetadataScope = "run" | "step" | "extended_trace";

export class RunMetadataError extends Error {
  constructor(
    readonly status: 400 | 404 | 413,
    message: string,
  ) {
    super(message);
  }
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

/** Go's size metric: key bytes plus the value's JSON bytes. */
export function metadataValuesSize(values: Record<string, unknown>): number {
  let total = 0;
  for (const [key, value] of Object.entries(values))
    total += Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value) ?? "null");
  return total;
}

function scoreProblem(values: Record<string, unknown>): string | null {
  for (const [name, entry] of Object.entries(values)) {
    if (Buffer.byteLength(name) > MAX_SCORE_NAME_BYTES)
      return `score name ${JSON.stringify(name)} exceeds ${MAX_SCORE_NAME_BYTES} UTF-8 bytes`;
    if ([...name].some((char) => char < " " || char === "\x7f" || char === "'"))
      return `score name ${JSON.stringify(name)} contains invalid characters`;
    const valid =
      typeof entry === "object" &&
      entry !== null &&
      Object.keys(entry).every((key) => key === "value") &&
      "value" in entry &&
      (typeof entry.value === "boolean" ||
        (typeof entry.value === "number" && Number.isFinite(entry.value)));
    if (!valid) return `score ${JSON.stringify(name)}: value must be a finite number or boolean`;
  }
  return null;
}

/** Go's `ValidateUpdatesAllowed` and its per-update size limit. */
function updateProblem(update: MetadataUpdate): { status: 400 | 413; message: string } | null {
  if (update.kind.length > MAX_KIND_LENGTH)
    return { status: 400, message: `kind exceeds ${MAX_KIND_LENGTH} characters` };
  if (update.kind.startsWith("inngest.") && !ALLOWED_INNGEST_KINDS.has(update.kind))
    return { status: 400, message: `kind ${update.kind} is reserved` };
  if (update.kind === SCORE_KIND) {
    const problem = scoreProblem(update.values);
    if (problem) return { status: 400, message: problem };
  }
  if (metadataValuesSize(update.values) > MAX_METADATA_UPDATE_BYTES)
    return { status: 413, message: "metadata update exceeds the maximum size of 64KB" };
  return null;
}

/** The hashed step id a step target names, as the SDK hashes op ids (`step_index` > 0: `id:index`). */
export function hashedStepId(stepId: string, stepIndex?: number | null): string {
  const source = stepIndex ? `${stepId}:${stepIndex}` : stepId;
  return createHash("sha1").update(source).digest("hex");
}

export type PlannedMetadata = {
  scope: MetadataScope;
  /** Hashed step id for step scope, the caller's span id for extended traces, null for the run. */
  target: string | null;
  updates: MetadataUpdate[];
  size: number;
};

/** Validates a request as Go does, in its order; throws `RunMetadataError`. */
export function planRunMetadata(runId: string, body: RunMetadataBody): PlannedMetadata {
  if (!ULID.test(runId)) throw new RunMetadataError(400, `Invalid run ID: ${runId}`);
  const { target } = body;
  if (target.step_id == null) {
    const stray = (
      [
        ["step_index", target.step_index],
        ["step_attempt", target.step_attempt],
        ["span_id", target.span_id],
      ] as const
    ).find(([, value]) => value != null);
    if (stray)
      throw new RunMetadataError(
        400,
        `Invalid metadata target: target.step_id must be defined if target.${stray[0]} is defined`,
      );
  }
  let size = 0;
  for (const update of body.metadata) {
    const problem = updateProblem(update);
    if (problem) throw new RunMetadataError(problem.status, `Invalid metadata: ${problem.message}`);
    size += metadataValuesSize(update.values);
  }
  if (target.step_id == null) return { scope: "run", target: null, updates: body.metadata, size };
  if (target.step_attempt == null || target.span_id == null)
    return {
      scope: "step",
      target: hashedStepId(target.step_id, target.step_index),
      updates: body.metadata,
      size,
    };
  return { scope: "extended_trace", target: target.span_id, updates: body.metadata, size };
}

/**
 * Stores a validated request: nothing when the run is unknown (404) or the run's updates would
 * pass 1 MiB together (413). The check and the insert run under a per-run advisory transaction
 * lock, taken by a statement of its own (pipelined in the same round trip): under read committed
 * the insert's snapshot is then taken after the previous holder committed, so two requests racing
 * for a run's last bytes cannot both pass the check. An advisory lock rather than `for update` on
 * the run row, so a metadata post never waits on (or blocks) the engine's writes to the run.
 * An ended run still takes metadata (Go writes it to the run's trace whatever its state).
 */
export async function saveRunMetadata(sql: Sql, runId: string, plan: PlannedMetadata) {
  const rows = plan.updates.map((update, index) => ({
    ordinal: index,
    kind: update.kind,
    op: update.op,
    values: JSON.stringify(update.values),
    size: metadataValuesSize(update.values),
  }));
  const [, [result]] = await sql.begin((tx) => {
    const s = tx(SCHEMA);
    return [
      tx`select pg_advisory_xact_lock(hashtextextended(${`run_metadata:${runId}`}, 0))`,
      tx<{ found: boolean; used: number; inserted: number }[]>`
    with run as (select id from ${s}.runs where id = ${runId}),
    used as (
      select coalesce(sum(size), 0)::int as total from ${s}.run_metadata where run_id = ${runId}
    ),
    added as (
      insert into ${s}.run_metadata (run_id, scope, target, kind, op, values, size)
      select run.id, ${plan.scope}, ${plan.target}, m.kind, m.op, m.values::jsonb, m.size
      from run, used,
        unnest(${sql.array(rows.map((row) => row.ordinal))}::int[],
               ${sql.array(rows.map((row) => row.kind))}::text[],
               ${sql.array(rows.map((row) => row.op))}::text[],
               ${sql.array(rows.map((row) => row.values))}::text[],
               ${sql.array(rows.map((row) => row.size))}::int[])
          as m(ordinal, kind, op, values, size)
      where used.total + ${plan.size} <= ${MAX_RUN_METADATA_BYTES}
      order by m.ordinal
      returning 1
    )
    select exists (select 1 from run) as found, (select total from used) as used,
      (select count(*) from added)::int as inserted`,
    ];
  });
  if (!result?.found) throw new RunMetadataError(404, "run not found");
  if (rows.length > 0 && result.inserted === 0)
    throw new RunMetadataError(
      413,
      `Cumulative metadata size exceeds limit: the run holds ${result.used} bytes of ${MAX_RUN_METADATA_BYTES}`,
    );
}

export type StoredMetadata = {
  scope: MetadataScope;
  target: string | null;
  kind: string;
  op: MetadataUpdate["op"];
  values: Record<string, unknown>;
  created_at: Date;
};
export type CombinedMetadata = {
  scope: MetadataScope;
  target: string | null;
  kind: string;
  values: Record<string, unknown>;
  /** When the last update of this target and kind was stored. */
  updatedAt: Date;
};

/**
 * A target's updates of one kind folded in order, as Go's `Values.Combine`: `merge` copies keys,
 * `set` replaces all, `delete` removes the named keys, `add` sums numbers (a key that is not a
 * number yet takes the new value; a new value that is not a number is skipped).
 */
export function combineMetadata(updates: readonly StoredMetadata[]): CombinedMetadata[] {
  const combined = new Map<string, CombinedMetadata>();
  for (const update of updates) {
    const key = JSON.stringify([update.scope, update.target, update.kind]);
    let entry = combined.get(key);
    if (!entry) {
      entry = {
        scope: update.scope,
        target: update.target,
        kind: update.kind,
        values: {},
        updatedAt: update.created_at,
      };
      combined.set(key, entry);
    }
    entry.updatedAt = update.created_at;
    const values = entry.values;
    if (update.op === "set") entry.values = { ...update.values };
    else if (update.op === "merge") Object.assign(values, update.values);
    else if (update.op === "delete")
      for (const name of Object.keys(update.values)) delete values[name];
    else
      for (const [name, value] of Object.entries(update.values)) {
        const current = values[name];
        if (typeof current !== "number") values[name] = value;
        else if (typeof value === "number") values[name] = current + value;
      }
  }
  return [...combined.values()];
}

/** A run's metadata, combined; what the stand-in for the dev server's traces reads. */
export async function readRunMetadata(sql: Sql, runId: string): Promise<CombinedMetadata[]> {
  const s = sql(SCHEMA);
  const rows = await sql<StoredMetadata[]>`
    select scope, target, kind, op, values, created_at from ${s}.run_metadata
    where run_id = ${runId} order by id`;
  return combineMetadata(rows);
}

const opMetadataSchema = z.array(
  z.object({
    kind: z.string(),
    scope: z.enum(["run", "step", "step_attempt", "extended_trace"]),
    op: z.enum(["merge", "set", "delete", "add"]),
    values: z.record(z.string(), z.unknown()),
  }),
);

/**
 * The `metadata` an SDK attaches to a step's op (`metadata.update()` / `step.score()` / AI span
 * attributes written inside a `step.run`), stored as Go's `handleGeneratorMetadata` does: run
 * scope on the run, step scopes on the op's step. As in Go it never fails the step: an entry
 * that does not validate or does not fit, or whose write fails, is logged (`metadata.dropped`)
 * and skipped. No statement when no op carries metadata. Stored before the step's result, so a
 * crash in between stores it again with the retried attempt (as Go keeps each attempt's).
 */
export async function saveOpMetadata(
  sql: Sql,
  runId: string,
  ops: readonly { id: string; metadata?: unknown }[],
  log: (line: EngineLogLine) => void,
): Promise<void> {
  for (const op of ops) {
    if (op.metadata === undefined) continue;
    const parsed = opMetadataSchema.safeParse(op.metadata);
    if (!parsed.success) {
      log({
        level: "warn",
        msg: "metadata.dropped",
        run_id: runId,
        step_id: op.id,
        reason: "malformed",
      });
      continue;
    }
    for (const scope of ["run", "step"] as const) {
      const updates = parsed.data
        .filter((entry) =>
          scope === "run" ? entry.scope === "run" : entry.scope.startsWith("step"),
        )
        .map(({ kind, op: opcode, values }) => ({ kind, op: opcode, values }));
      if (updates.length === 0) continue;
      try {
        let size = 0;
        for (const update of updates) {
          const problem = updateProblem(update);
          if (problem) throw new RunMetadataError(problem.status, problem.message);
          size += metadataValuesSize(update.values);
        }
        await saveRunMetadata(sql, runId, {
          scope,
          target: scope === "run" ? null : op.id,
          updates,
          size,
        });
      } catch (error) {
        // Never the step's failure: a retry would run the step again for its metadata.
        log({
          level: "warn",
          msg: "metadata.dropped",
          run_id: runId,
          step_id: op.id,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (parsed.data.some((entry) => entry.scope === "extended_trace"))
      log({
        level: "warn",
        msg: "metadata.dropped",
        run_id: runId,
        step_id: op.id,
        reason: "extended_trace metadata is not stored (the engine keeps no trace spans)",
      });
  }
}
