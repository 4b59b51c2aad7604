import "server-only";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { MAX_UPLOAD_BODY_BYTES, UPLOAD_DOCUMENTS_PATH } from "@/lib/knowledge-bases";
import { MAX_TRPC_BATCH_CALLS, MAX_TRPC_BODY_BYTES } from "@/lib/trpc-limits";
import type { Auth } from "@/server/auth/config";
import type { Database } from "@/server/db/client";
import { readBodyWithin } from "@/server/request-body";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { createTRPCContext } from "./init";
import { appRouter } from "./root";

export type TRPCHandlerOptions = {
  context: () => { db: Database; auth: Auth; dispatcher: RunDispatcher };
  /** Also log expected refusals (bad input, not found…), not only 5xx answers: for development. */
  logExpectedErrors?: boolean;
};

/**
 * The tRPC endpoint (`/api/trpc`). A body over MAX_TRPC_BODY_BYTES is not read past the cap and
 * a batch over MAX_TRPC_BATCH_CALLS is not run: both answer 413 (in tRPC's error shape, so the
 * client shows the message) before the session is looked up or any procedure runs.
 */
export async function handleTRPCRequest(
  request: Request,
  options: TRPCHandlerOptions,
): Promise<Response> {
  const maxBodyBytes = await bodyLimitOf(request, options.context().auth);
  const body = request.method === "POST" ? await readBodyWithin(request, maxBodyBytes) : null;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: body ? countedRequest(request, body.ok ? body.bytes : null) : request,
    router: appRouter,
    createContext: ({ info }) => {
      if (body && !body.ok) {
        throw new TRPCError({
          code: "PAYLOAD_TOO_LARGE",
          message: `The request body is over ${maxBodyBytes / (1024 * 1024)} MB (${maxBodyBytes} bytes); send less.`,
        });
      }
      if (info.calls.length > MAX_TRPC_BATCH_CALLS) {
        throw new TRPCError({
          code: "PAYLOAD_TOO_LARGE",
          message: `A request may batch at most ${MAX_TRPC_BATCH_CALLS} calls; this one has ${info.calls.length}.`,
        });
      }
      return createTRPCContext({ headers: request.headers, ...options.context() });
    },
    // Unexpected errors are logged, with their error id, by the error formatter (init.ts). Of
    // the expected ones, a refusal (4xx) is the caller's business; a 5xx (a run that could not
    // be dispatched) is the operator's too, so it is logged in production as well.
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") return;
      if (options.logExpectedErrors || getHTTPStatusCodeFromError(error) >= 500)
        console.error(`tRPC ${path ?? "<no path>"} failed: ${error.message}`);
    },
  });
}

/**
 * Only a document upload (multipart, to the upload procedure alone: never batched) from a
 * signed-in user may carry files; every other request keeps the 1 MB cap, so nobody without a
 * session can make the server buffer more than that. The procedure checks the role and tenant.
 */
async function bodyLimitOf(request: Request, auth: Auth): Promise<number> {
  const isUpload =
    new URL(request.url).pathname === `/api/trpc/${UPLOAD_DOCUMENTS_PATH}` &&
    (request.headers.get("content-type") ?? "").startsWith("multipart/form-data");
  if (!isUpload) return MAX_TRPC_BODY_BYTES;
  const session = await auth.api.getSession({ headers: request.headers }).catch(() => null);
  return session ? MAX_UPLOAD_BODY_BYTES : MAX_TRPC_BODY_BYTES;
}

/** The request as tRPC reads it: the body already counted (none when it was over the cap). */
function countedRequest(request: Request, bytes: Buffer | null): Request {
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return new Request(request.url, {
    method: request.method,
    headers,
    body: bytes ? new Uint8Array(bytes) : null,
    signal: request.signal,
  });
}
