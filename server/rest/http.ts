import type { z } from "zod";

export type ApiErrorBody = { error: { code: string; message: string; fields?: Record<string, string[]> } };

export function apiError(status: number, code: string, message: string, fields?: Record<string, string[]>): Response {
  const body: ApiErrorBody = { error: { code, message, ...(fields ? { fields } : {}) } };
  return Response.json(body, { status });
}

export const json = (body: unknown, status = 200) => Response.json(body, { status });

/** Request bodies of the REST API are small JSON documents. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The request's JSON body, checked against `schema`, or the error response to send: 415 for
 * another media type, 413 past the cap (refused from Content-Length before reading, and
 * counted while reading), 400 for malformed JSON or a body that does not fit the schema.
 */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return { ok: false, response: apiError(415, "unsupported_media_type", "Send the body as application/json.") };
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false, response: apiError(413, "payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`) };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return { ok: false, response: apiError(413, "payload_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`) };
    }
    chunks.push(value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { ok: false, response: apiError(400, "malformed_json", "The body is not valid JSON.") };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of result.error.issues) (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
    return { ok: false, response: apiError(400, "invalid_request", "The body does not match the request schema.", fields) };
  }
  return { ok: true, value: result.data };
}
