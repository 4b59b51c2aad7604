/**
 * Dev-only, for gql-standin.ts: the dev server's GraphQL fields the inngest-js suites read
 * (`events`, `eventV2`, `stream`, `run { status trace { … } }`, `runTraceSpanOutputByID`) and
 * `GET /dev`, answered from the engine's REST API (runs) and store (event lists, which the REST
 * API does not offer). A query is matched by its field name; no GraphQL is parsed, and every
 * field a suite may select is returned.
 */
import type postgres from "postgres";
import { readRunMetadata, type CombinedMetadata } from "@/inngest/engine/run-metadata";
import { isObject, type Json, type JsonObject, type RunTimelines } from "./timeline";

export type RegisteredFunction = {
  id: string;
  name?: string;
  triggers?: Json[];
  steps?: Record<string, { id: string; name?: string; runtime?: { url?: string } }>;
};
export type RegisteredApp = { url: string; functions: RegisteredFunction[] };

const STATUS: Record<string, string> = {
  Running: "RUNNING",
  Completed: "COMPLETED",
  Failed: "FAILED",
  Cancelled: "CANCELLED",
};

function span(fields: JsonObject): JsonObject {
  return { stepID: null, attempts: 0, metadata: [], childrenSpans: [], ...fields };
}

export class GqlFields {
  constructor(
    private readonly engineUrl: string,
    private readonly sql: postgres.Sql,
    private readonly timelines: RunTimelines,
    private readonly apps: Map<string, RegisteredApp>,
  ) {}

  async answer(body: Json): Promise<JsonObject> {
    const query = isObject(body) && typeof body.query === "string" ? body.query : "";
    const variables = isObject(body) && isObject(body.variables) ? body.variables : {};
    const variable = (...keys: string[]) => {
      for (const key of keys) if (typeof variables[key] === "string") return String(variables[key]);
      return "";
    };
    if (query.includes("runTraceSpanOutputByID"))
      return {
        runTraceSpanOutputByID: this.spanOutput(variable("outputId", "traceID", "outputID")),
      };
    if (query.includes("eventV2")) return { eventV2: await this.eventV2(variable("id")) };
    if (/\bstream\s*\(/.test(query)) return { stream: await this.stream() };
    if (/\bevents\s*\(/.test(query)) return { events: await this.events() };
    if (/\brun\s*\(/.test(query)) return { run: await this.run(variable("runId", "runID")) };
    throw new Error(`the stand-in does not answer this query: ${query.slice(0, 200)}`);
  }

  dev(): JsonObject {
    return {
      functions: [...this.apps.values()].flatMap((app) =>
        app.functions.map((fn) => ({
          id: fn.id,
          name: fn.name ?? fn.id,
          triggers: fn.triggers ?? [],
          steps: Object.values(fn.steps ?? {}).map((step) => ({
            id: step.id,
            name: step.name ?? step.id,
            uri: step.runtime?.url ?? app.url,
          })),
        })),
      ),
    };
  }

  private async functionName(slug: string): Promise<string> {
    for (const app of this.apps.values()) {
      const fn = app.functions.find((candidate) => candidate.id === slug);
      if (fn) return fn.name ?? slug;
    }
    const [row] = await this.sql<{ config: { name?: string } }[]>`
      select config from inngest_engine.functions where slug = ${slug}`;
    return row?.config.name ?? slug;
  }

  /** The run and its trace: the timeline's steps, then a finalization span once it ended. */
  private async run(runId: string): Promise<JsonObject | null> {
    const response = await fetch(`${this.engineUrl}/v1/runs/${encodeURIComponent(runId)}`);
    if (!response.ok) return null;
    const body = (await response.json()) as Json;
    const run = isObject(body) && isObject(body.data) ? body.data : null;
    if (!run) return null;
    const status = STATUS[String(run.status)] ?? "QUEUED";
    const ended = status !== "RUNNING";
    const outputID = `run:${runId}`;
    if (ended) {
      const output = run.output ?? null;
      this.timelines.setOutput(
        outputID,
        status === "FAILED" ? { error: output } : { data: output },
      );
    }
    const metadata = await readRunMetadata(this.sql, runId);
    const metadataOf = (scope: CombinedMetadata["scope"], target: string | null): Json[] =>
      metadata
        .filter((entry) => entry.scope === scope && entry.target === target)
        .map((entry) => ({
          scope,
          kind: entry.kind,
          values: entry.values as JsonObject,
          updatedAt: entry.updatedAt.toISOString(),
        }));
    const children: Json[] = this.timelines
      .spans(runId)
      .map((step) => span({ ...step, metadata: metadataOf("step", step.stepID) }));
    if (ended)
      children.push(
        span({
          name: "Finalization",
          spanID: `${runId}:end`,
          stepType: "FINALIZATION",
          status,
          outputID,
        }),
      );
    const trace = span({
      name: await this.functionName(String(run.function_slug ?? "")),
      spanID: runId,
      stepType: "",
      status,
      outputID: ended ? outputID : null,
      metadata: metadataOf("run", null),
      childrenSpans: children,
    });
    return { id: runId, status, trace };
  }

  private spanOutput(outputId: string): JsonObject | null {
    const output = this.timelines.output(outputId);
    if (!output) return null;
    if (output.error === undefined)
      return { data: JSON.stringify(output.data ?? null), error: null };
    const error = isObject(output.error) ? output.error : { message: String(output.error) };
    return {
      data: null,
      error: {
        name: typeof error.name === "string" ? error.name : "Error",
        message: typeof error.message === "string" ? error.message : JSON.stringify(error),
        stack: typeof error.stack === "string" ? error.stack : null,
        cause: error.cause ?? null,
      },
    };
  }

  private async events(): Promise<Json[]> {
    const rows = await this.sql<{ internal_id: string; name: string; payload: Json }[]>`
      select internal_id, name, payload from inngest_engine.events
      where name not like 'inngest/%' order by seq desc limit 999`;
    // The dev server's `payload` is the event's data.
    return rows.map((row) => ({
      id: row.internal_id,
      name: row.name,
      payload: JSON.stringify(isObject(row.payload) ? (row.payload.data ?? null) : null),
    }));
  }

  private async eventV2(id: string): Promise<JsonObject | null> {
    const [row] = await this.sql<{ name: string; payload: JsonObject }[]>`
      select name, payload from inngest_engine.events where internal_id = ${id}`;
    if (!row) return null;
    // No `idempotencyKey`: the suites read it as an optional string, so null would not parse.
    return { id, name: row.name, raw: JSON.stringify(row.payload) };
  }

  private async stream(): Promise<Json[]> {
    const rows = await this.sql<
      { internal_id: string; payload: Json; runs: { id: string; slug: string }[] | null }[]
    >`
      select e.internal_id, e.payload,
        (select json_agg(json_build_object('id', r.id, 'slug', r.function_slug) order by r.id)
         from inngest_engine.runs r where r.event_id = e.internal_id) as runs
      from inngest_engine.events e where e.name not like 'inngest/%'
      order by e.seq desc limit 999`;
    const out: Json[] = [];
    for (const row of rows) {
      const runs: Json[] = [];
      for (const run of row.runs ?? [])
        runs.push({ id: run.id, function: { name: await this.functionName(run.slug) } });
      out.push({ id: row.internal_id, trigger: JSON.stringify(row.payload), runs });
    }
    return out;
  }
}
