import "server-only";
import type { z } from "zod";
import { isDatabaseUnavailable } from "@/server/db/errors";
import { logUnexpectedError, unexpectedErrorMessage } from "@/server/error-log";
import { readBodyWithin } from "@/server/request-body";
import { holdsUnstorable, UNSTORABLE_MESSAGE } from "@/server/db/storable";
import { ServiceError, type ServiceErrorKind } from "@/server/services/errors";

export type ApiErrorBody = {
  error: { code: string; message: string; fields?: Record<string, string[]> };
};

export function apiError(
  status: number,
  code: string,
  message: string,
  fields?: Record<string, string[]>,
): Response {
  const body: ApiErrorBody = { error: { code, message, ...(fields ? { fields } : {}) } };
  return Response.json(body, { status });
}

export const json = (body: unknown, status = 200) => Response.json(body, { status });

/**
 * An error no handler expected, as a JSON answer rather than the framework's empty 500: 503
 * with Retry-After while the database is unreachable (the caller may retry), else 500. The
 * details go to the server log only, under the error id the answer names.
 */
export function unexpectedErrorResponse(error: unknown, where: string): Response {
  const errorId = logUnexpectedError(error, where);
  if (isDatabaseUnavailable(error)) {
    const response = apiError(
      503,
      "database_unavailable",
      `The database is not reachable right now; retry shortly (error id ${errorId}).`,
    );
    response.headers.set("retry-after", "5");
    return response;
  }
  return apiError(500, "internal_error", unexpectedErrorMessage(errorId));
}

/**
 * The HTTP status of each kind of service error, on every REST route. A missing precondition is
 * 409 (412 belongs to conditional request headers, which this API has none of); a body that
 * matches the request schema but that the service refuses is 422 (400 is the schema's).
 */
export const HTTP_STATUS_OF_KIND: Record<ServiceErrorKind, number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  precondition: 409,
  invalid: 422,
  unavailable: 503,
};

type PublishedAnswer = {
  status?: number;
  code?: string;
  message?: string;
  fields?: Record<string, string[]>;
};

/**
 * Service error codes whose published answer (openapi.ts, the first-run page) differs from what
 * their kind gives; kept as published, so no client sees a change.
 */
const PUBLISHED_ANSWERS: Readonly<Partial<Record<string, PublishedAnswer>>> = {
  no_agent: { code: "no_default_agent" },
  run_not_cancellable: { code: "not_cancellable" },
  // The fields name each problem; the message stays short.
  inputs_invalid: { message: "The inputs do not match the skill's schema." },
  idempotency_key_reused: {
    fields: {
      "Idempotency-Key": [
        "was used for a request with a different skill, agent, inputs or callbackUrl",
      ],
    },
  },
  // A refused callback URL is a bad request like a body off the schema; its field says why.
  callback_url_refused: { status: 400, code: "invalid_request" },
  // The owner setup's fields are checked by its service: the same 400 as a body off the schema.
  owner_setup_input: { status: 400, code: "invalid_request" },
  // Once any user exists the setup endpoint is gone: the same answer as a path that never existed.
  owner_exists: { status: 404, code: "not_found", message: "Not found." },
};

/** A service error as a REST answer. Unknown and foreign ids are alike: 404 `not_found`. */
export function serviceErrorResponse(error: ServiceError): Response {
  const published = PUBLISHED_ANSWERS[error.code];
  return apiError(
    published?.status ?? HTTP_STATUS_OF_KIND[error.kind],
    published?.code ?? (error.kind === "not_found" ? "not_found" : error.code),
    published?.message ?? error.message,
    published?.fields ?? error.fieldErrors,
  );
}

/** The answer to whatever a REST handler throws: a service error by its kind, anything else as unexpected. */
export const errorResponse = (error: unknown, where: string): Response =>
  error instanceof ServiceError
    ? serviceErrorResponse(error)
    : unexpectedErrorResponse(error, where);

/** Request bodies of the REST API are small JSON documents. */
export const MAX_BODY_BYTES = 256 * 1024;

// `application/json`, with parameters (charset) or not; not `application/json-patch+json` and the like.
const isJson = (request: Request) =>
  /^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
const tooLarge = () =>
  apiError(413, "payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`);
const notJson = () => apiError(415, "unsupported_media_type", "Send the body as application/json.");

/** The raw body of a JSON request, or the error response to send: 415 for another media type, 413 past the cap. */
export async function readJsonBytes(
  request: Request,
): Promise<
  | { ok: true; bytes: Buffer }
  | { ok: false; response: Response; reason: "unsupported_media_type" | "too_large" }
> {
  if (!isJson(request)) return { ok: false, response: notJson(), reason: "unsupported_media_type" };
  const body = await readBodyWithin(request, MAX_BODY_BYTES);
  return body.ok ? body : { ok: false, response: tooLarge(), reason: "too_large" };
}

/** The JSON value of a body, or the 400 to answer: not JSON, or JSON that cannot be stored. */
export function parseJson(
  bytes: Buffer,
): { ok: true; value: unknown } | { ok: false; response: Response; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return {
      ok: false,
      response: apiError(400, "malformed_json", "The body is not valid JSON."),
      reason: "The body is not valid JSON.",
    };
  }
  if (holdsUnstorable(value)) {
    const reason = `The body ${UNSTORABLE_MESSAGE}`;
    return { ok: false, response: apiError(400, "malformed_json", reason), reason };
  }
  return { ok: true, value };
}

/** The request's JSON body checked against `schema`, or the error response to send (415, 413, 400). */
export async function readJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const body = await readJsonBytes(request);
  if (!body.ok) return body;
  const parsed = parseJson(body.bytes);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of result.error.issues)
      (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
    return {
      ok: false,
      response: apiError(
        400,
        "invalid_request",
        "The body does not match the request schema.",
        fields,
      ),
    };
  }
  return { ok: true, value: result.data };
}
