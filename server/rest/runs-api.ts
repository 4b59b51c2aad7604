import "server-only";
import type { z } from "zod";
import type { MemberRole } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import type { Database } from "@/server/db/client";
import { requestOrigin } from "@/server/request-origin";
import { authenticateApiKey, type ApiKeyPrincipal } from "@/server/services/access/api-keys";
import type { AuditContext } from "@/server/services/access/audit";
import { RunNotFoundError } from "@/server/services/runs/run-errors";
import { getRun, listRuns, type RunListFilters } from "@/server/services/runs/run-queries";
import {
  cancelRun,
  startRun,
  type RunDispatcher,
  type StartRunInput,
} from "@/server/services/runs/runs";
import { startRunWithCallback } from "@/server/services/deliveries/callback";
import { findSkillId } from "@/server/services/catalog/skills";
import { apiError, errorResponse, json, readJsonBody } from "./http";
import { setRunTags } from "@/server/services/runs/run-tags";
import {
  exportFileOf,
  runExportStream,
  type ExportFormat,
} from "@/server/services/runs/run-export";
import { ExportRunsQuery, ListRunsQuery, SetRunTagsRequest, StartRunRequest } from "./schemas";
import { ApproveRunRequest, RejectRunRequest } from "@/lib/schemas/approvals";
import { decideApproval } from "@/server/services/runs/approvals";

/** An id no run has (v4 UUIDs never have version nibble 0). */
const NO_RUN_ID = "00000000-0000-0000-0000-000000000000";

/** A streamed export as a download. */
export function exportResponse(
  db: Database,
  tenantId: string,
  filters: RunListFilters,
  format: ExportFormat,
): Response {
  const file = exportFileOf(format);
  return new Response(runExportStream(db, tenantId, filters, format), {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

type Deps = { db: () => Database; dispatcher: RunDispatcher };
type RunRow = Awaited<ReturnType<typeof getRun>>;
type ListRow = Awaited<ReturnType<typeof listRuns>>["runs"][number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const encodeCursor = (cursor: { createdAt: Date; id: string }) =>
  Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
function decodeCursor(value: string): { createdAt: Date; id: string } | null {
  const [createdAt, id] = Buffer.from(value, "base64url").toString("utf8").split("|");
  const date = new Date(createdAt ?? "");
  return id && UUID.test(id) && !Number.isNaN(date.getTime()) ? { createdAt: date, id } : null;
}

/** What a list row and a full run share; the list leaves out inputs, deliverable and the failure reason. */
function runSummary(run: ListRow | RunRow) {
  return {
    id: run.id,
    status: run.status,
    source: run.source,
    skill: { slug: run.skill.slug, name: run.skill.name },
    agent: run.agent?.id ? { id: run.agent.id, name: run.agent.name } : null,
    tags: run.tags,
    failure: run.failureCode ? { code: run.failureCode, reason: null as string | null } : null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    usage: { inputTokens: run.inputTokens, outputTokens: run.outputTokens, costUsd: run.costUsd },
  };
}

function runDetail(run: RunRow) {
  return {
    ...runSummary(run),
    inputs: run.inputs,
    deliverable: run.deliverable
      ? {
          format: "markdown" as const,
          content: run.deliverable.payload,
          masked: run.deliverable.masked ?? {},
        }
      : null,
    failure: run.failureCode
      ? {
          code: run.failureCode,
          reason: run.failureReason,
          provider: run.failureDetail
            ? {
                httpStatus: run.failureDetail.httpStatus,
                attempts: run.failureDetail.attempts,
                retryAfterSeconds: run.failureDetail.retryAfterSeconds,
              }
            : null,
        }
      : null,
  };
}

/** The query string as `schema` reads it (a repeated `status` joined), or the 400 to answer. */
function readQuery<T>(
  request: Request,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; response: Response } {
  const params = new URL(request.url).searchParams;
  // A repeated `status` or `tag` counts each time; every other parameter is read once.
  const statuses = params.getAll("status");
  const tags = params.getAll("tag");
  const query = schema.safeParse({
    ...Object.fromEntries(params),
    ...(statuses.length ? { status: statuses.join(",") } : {}),
    ...(tags.length ? { tag: tags.join(",") } : {}),
  });
  if (query.success) return { ok: true, value: query.data };
  return {
    ok: false,
    response: apiError(
      400,
      "invalid_request",
      "The query does not match the request schema.",
      Object.fromEntries(
        query.error.issues.map((issue) => [issue.path.join("."), [issue.message]]),
      ),
    ),
  };
}

type FilterQuery = Pick<
  z.infer<typeof ListRunsQuery>,
  "status" | "skill" | "schedule" | "webhook" | "apiKey" | "tag" | "q"
>;

/** The REST filters as the history's; null when the named skill is not the tenant's (nothing matches). */
async function listFiltersOf(db: Database, tenantId: string, query: FilterQuery) {
  let skillId: string | undefined;
  if (query.skill) {
    const found = await findSkillId(db, tenantId, query.skill);
    if (!found) return null;
    skillId = found;
  }
  return {
    status: query.status,
    skillId,
    scheduleId: query.schedule,
    webhookId: query.webhook,
    apiKeyId: query.apiKey,
    tags: query.tag,
    search: query.q,
  };
}

/** What the audit log records of a change made with a key: the key, and the caller's address. */
const keyAudit = (principal: ApiKeyPrincipal, request: Request): AuditContext => ({
  actor: { type: "api_key", id: principal.keyId },
  origin: requestOrigin(request.headers),
});

/**
 * REST API v1 for runs, authenticated with an API key (`Authorization: Bearer srk_…`). Each
 * handler declares the role its key needs; everything is scoped to the key's tenant.
 */
export function createRunsApi(deps: Deps) {
  const withKey =
    <Args extends unknown[]>(
      role: MemberRole,
      handler: (principal: ApiKeyPrincipal, request: Request, ...args: Args) => Promise<Response>,
    ) =>
    async (request: Request, ...args: Args): Promise<Response> => {
      try {
        const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
        const principal = token ? await authenticateApiKey(deps.db(), token) : null;
        if (!principal)
          return apiError(
            401,
            "unauthorized",
            "Send a valid, unrevoked API key as `Authorization: Bearer <key>`.",
          );
        if (!roleAtLeast(principal.role, role))
          return apiError(403, "forbidden", `This needs a key with the ${role} role or higher.`);
        return await handler(principal, request, ...args);
      } catch (error) {
        return errorResponse(error, "REST API");
      }
    };

  /** Approve (`{}` or a note) or reject (a reason required) the run's pending request. */
  const decide = async (
    principal: ApiKeyPrincipal,
    request: Request,
    runId: string,
    decision: "approve" | "reject",
  ) => {
    if (!UUID.test(runId)) throw new RunNotFoundError(runId);
    const body = await readJsonBody<{ reason?: string; approvalId?: string }>(
      request,
      decision === "approve" ? ApproveRunRequest : RejectRunRequest,
    );
    if (!body.ok) return body.response;
    await decideApproval(
      { db: deps.db(), dispatcher: deps.dispatcher },
      {
        tenantId: principal.tenantId,
        runId,
        decision,
        reason: body.value.reason || null,
        decider: { userId: null, label: `API key ${principal.name}` },
        audit: keyAudit(principal, request),
        ...(body.value.approvalId ? { seen: { approvalId: body.value.approvalId } } : {}),
      },
    );
    return json(runDetail(await getRun(deps.db(), principal.tenantId, runId)));
  };

  return {
    list: withKey("viewer", async (principal, request) => {
      const query = readQuery(request, ListRunsQuery);
      if (!query.ok) return query.response;
      const cursor = query.value.cursor ? decodeCursor(query.value.cursor) : null;
      if (query.value.cursor && !cursor)
        return apiError(400, "invalid_request", "The cursor is not one this API gave out.", {
          cursor: ["is invalid"],
        });
      const filters = await listFiltersOf(deps.db(), principal.tenantId, query.value);
      if (!filters) return json({ runs: [], nextCursor: null });
      const page = await listRuns(deps.db(), principal.tenantId, {
        filters,
        cursor,
        limit: query.value.limit,
      });
      return json({
        runs: page.runs.map(runSummary),
        nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
      });
    }),

    /** The filtered history as CSV or JSONL, streamed a page at a time. */
    export: withKey("viewer", async (principal, request) => {
      const query = readQuery(request, ExportRunsQuery);
      if (!query.ok) return query.response;
      // An unknown skill matches nothing: a run id no run has keeps the export's shape.
      const filters = (await listFiltersOf(deps.db(), principal.tenantId, query.value)) ?? {
        runIds: [NO_RUN_ID],
      };
      return exportResponse(deps.db(), principal.tenantId, filters, query.value.format);
    }),

    start: withKey("operator", async (principal, request) => {
      const body = await readJsonBody(request, StartRunRequest);
      if (!body.ok) return body.response;
      const idempotencyKey = request.headers.get("idempotency-key");
      if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
        return apiError(400, "invalid_request", "Idempotency-Key must be 1 to 200 characters.", {
          "Idempotency-Key": ["must be 1 to 200 characters"],
        });
      }
      const input: StartRunInput = {
        tenantId: principal.tenantId,
        skill: { slug: body.value.skill },
        agentId: body.value.agentId,
        inputs: body.value.inputs,
        tags: body.value.tags,
        source: "api",
        invoker: { apiKeyId: principal.keyId },
        // The prefix predates keys being unique per source; kept so keys stored with it still match.
        idempotencyKey: idempotencyKey ? `api:${idempotencyKey}` : null,
      };
      const audit = keyAudit(principal, request);
      const { callbackUrl } = body.value;
      if (!callbackUrl) {
        const started = await startRun(
          { db: deps.db(), dispatcher: deps.dispatcher },
          input,
          audit,
        );
        const run = await getRun(deps.db(), principal.tenantId, started.run.id);
        return json(runDetail(run), started.created ? 201 : 200);
      }
      const started = await startRunWithCallback(
        { db: deps.db(), dispatcher: deps.dispatcher },
        input,
        audit,
        callbackUrl,
      );
      const run = await getRun(deps.db(), principal.tenantId, started.run.id);
      return json(
        {
          ...runDetail(run),
          ...(started.signingSecret ? { callback: { signingSecret: started.signingSecret } } : {}),
        },
        started.created ? 201 : 200,
      );
    }),

    get: withKey("viewer", async (principal, _request, runId: string) => {
      if (!UUID.test(runId)) throw new RunNotFoundError(runId);
      return json(runDetail(await getRun(deps.db(), principal.tenantId, runId)));
    }),

    setTags: withKey("operator", async (principal, request, runId: string) => {
      if (!UUID.test(runId)) throw new RunNotFoundError(runId);
      const body = await readJsonBody(request, SetRunTagsRequest);
      if (!body.ok) return body.response;
      await setRunTags(
        deps.db(),
        { tenantId: principal.tenantId, runId, tags: body.value.tags },
        keyAudit(principal, request),
      );
      return json(runDetail(await getRun(deps.db(), principal.tenantId, runId)));
    }),

    cancel: withKey("operator", async (principal, request, runId: string) => {
      if (!UUID.test(runId)) throw new RunNotFoundError(runId);
      await cancelRun(
        { db: deps.db(), dispatcher: deps.dispatcher },
        { tenantId: principal.tenantId, runId },
        keyAudit(principal, request),
      );
      return json(runDetail(await getRun(deps.db(), principal.tenantId, runId)));
    }),

    approve: withKey("operator", (key, request, id: string) => decide(key, request, id, "approve")),
    reject: withKey("operator", (key, request, id: string) => decide(key, request, id, "reject")),
  };
}
