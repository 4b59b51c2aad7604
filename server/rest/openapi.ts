import "server-only";
import { z } from "zod";
import { RUN_STATUSES } from "@/lib/enums";
import { ApproveRunRequest, RejectRunRequest } from "@/lib/schemas/approvals";
import {
  ApiError,
  ExportRunsQuery,
  ListRunsQuery,
  Run,
  RunList,
  SetRunTagsRequest,
  StartRunRequest,
} from "./schemas";

const schema = (type: z.ZodType) =>
  z.toJSONSchema(type, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});
const runResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Run" } } },
});
const runIdParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

function queryParameters(query: z.ZodType = ListRunsQuery) {
  const json = schema(query) as {
    properties: Record<string, { description?: string }>;
    required?: string[];
  };
  // A list in one parameter (`status=running,queued`): zod sees the raw string it splits.
  const lists: Record<string, object> = {
    status: { type: "array", items: { type: "string", enum: RUN_STATUSES }, minItems: 1 },
    tag: { type: "array", items: { type: "string" }, minItems: 1 },
  };
  return Object.entries(json.properties).map(([name, property]) => {
    const list = lists[name];
    return list
      ? {
          name,
          in: "query",
          required: false,
          description: property.description,
          style: "form",
          explode: false,
          schema: list,
        }
      : {
          name,
          in: "query",
          required: json.required?.includes(name) ?? false,
          description: property.description,
          schema: property,
        };
  });
}

/** The OpenAPI 3.1 document of REST API v1, generated from the zod schemas the handlers validate with. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Skillrun REST API",
      version: "1.0.0",
      description:
        "Start, read, list, search, tag and cancel skill runs, and approve or reject a run awaiting approval, with an API key.",
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key (srk_…) created by a tenant admin; its role decides what it may do.",
        },
      },
      schemas: {
        StartRunRequest: schema(StartRunRequest),
        SetRunTagsRequest: schema(SetRunTagsRequest),
        ApproveRunRequest: schema(ApproveRunRequest),
        RejectRunRequest: schema(RejectRunRequest),
        Run: schema(Run),
        RunList: schema(RunList),
        Error: schema(ApiError),
      },
    },
    paths: {
      "/runs": {
        get: {
          operationId: "listRuns",
          summary: "List runs, newest first (viewer key)",
          parameters: queryParameters(),
          responses: {
            200: {
              description: "A page of runs",
              content: { "application/json": { schema: { $ref: "#/components/schemas/RunList" } } },
            },
            400: errorResponse("Invalid query, cursor, tag or search"),
            401: errorResponse("Missing, unknown or revoked key"),
          },
        },
        post: {
          operationId: "startRun",
          summary: "Start a run (operator key)",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", minLength: 1, maxLength: 200 },
              description:
                "Retries with the same key and body return the original run (200); the same key with another skill, agent, inputs or callbackUrl is refused (422).",
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/StartRunRequest" } },
            },
          },
          responses: {
            201: runResponse("The run, queued"),
            200: runResponse("The run an earlier request with this Idempotency-Key created"),
            400: errorResponse("Malformed JSON or a body that does not match the schema"),
            401: errorResponse("Missing, unknown or revoked key"),
            403: errorResponse("The key's role cannot start runs"),
            404: errorResponse("Unknown skill or agent"),
            409: errorResponse(
              "No agent given and the tenant has no default agent (`no_default_agent`), or the tenant's monthly budget has reached its hard limit (`budget_exceeded`; nothing is created)",
            ),
            413: errorResponse("Body over 256 KB"),
            415: errorResponse("Body not application/json"),
            422: errorResponse(
              "Inputs do not match the skill's schema (fields name each problem), or the Idempotency-Key was used with another body (`idempotency_key_reused`)",
            ),
          },
        },
      },
      "/runs/export": {
        get: {
          operationId: "exportRuns",
          summary: "Export every run the filters match, as CSV or JSONL, streamed (viewer key)",
          description:
            "The list's filters without paging: the whole result, newest first, written as it is read. CSV cells that start with = + - @ are prefixed with an apostrophe so spreadsheets do not run them.",
          parameters: queryParameters(ExportRunsQuery),
          responses: {
            200: {
              description: "The runs, one row or line each",
              content: {
                "text/csv": { schema: { type: "string" } },
                "application/x-ndjson": { schema: { type: "string" } },
              },
            },
            400: errorResponse("Missing or unknown format, or an invalid filter"),
            401: errorResponse("Missing, unknown or revoked key"),
          },
        },
      },
      "/runs/{id}": {
        get: {
          operationId: "getRun",
          summary: "Read a run with its deliverable or failure (viewer key)",
          parameters: [runIdParameter],
          responses: {
            200: runResponse("The run"),
            401: errorResponse("Missing, unknown or revoked key"),
            404: errorResponse("No such run in the key's tenant"),
          },
        },
      },
      "/runs/{id}/tags": {
        put: {
          operationId: "setRunTags",
          summary: "Replace a run's tags (operator key)",
          parameters: [runIdParameter],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/SetRunTagsRequest" } },
            },
          },
          responses: {
            200: runResponse("The run with its new tags"),
            400: errorResponse("Malformed JSON, or a tag that is not `key:value` (fields name it)"),
            401: errorResponse("Missing, unknown or revoked key"),
            403: errorResponse("The key's role cannot edit tags"),
            404: errorResponse("No such run in the key's tenant"),
          },
        },
      },
      "/runs/{id}/cancel": {
        post: {
          operationId: "cancelRun",
          summary: "Cancel a queued or running run (operator key)",
          parameters: [runIdParameter],
          responses: {
            200: runResponse("The run, cancelled"),
            401: errorResponse("Missing, unknown or revoked key"),
            403: errorResponse("The key's role cannot cancel runs"),
            404: errorResponse("No such run in the key's tenant"),
            409: errorResponse("The run already ended"),
          },
        },
      },
      "/runs/{id}/approve": {
        post: {
          operationId: "approveRun",
          summary: "Approve the gated action of a run awaiting approval (operator key)",
          parameters: [runIdParameter],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/ApproveRunRequest" } },
            },
          },
          responses: {
            200: runResponse("The run; it continues with the action"),
            400: errorResponse("Malformed JSON or a reason that is too long"),
            401: errorResponse("Missing, unknown or revoked key"),
            403: errorResponse("The key's role cannot decide approvals"),
            404: errorResponse("No such run in the key's tenant"),
            409: errorResponse("The run is not awaiting approval (or its approval timed out)"),
          },
        },
      },
      "/runs/{id}/reject": {
        post: {
          operationId: "rejectRun",
          summary:
            "Reject the gated action of a run awaiting approval, with a reason (operator key)",
          parameters: [runIdParameter],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/RejectRunRequest" } },
            },
          },
          responses: {
            200: runResponse(
              "The run; the model is told of the refusal, or the run fails for a rejected deliverable",
            ),
            400: errorResponse("Malformed JSON, or no reason (fields name it)"),
            401: errorResponse("Missing, unknown or revoked key"),
            403: errorResponse("The key's role cannot decide approvals"),
            404: errorResponse("No such run in the key's tenant"),
            409: errorResponse("The run is not awaiting approval (or its approval timed out)"),
          },
        },
      },
    },
  };
}
