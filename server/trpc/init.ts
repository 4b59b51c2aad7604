import "server-only";

import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Database } from "@/server/db/client";
import type { Auth } from "@/server/auth/config";
import { roleAtLeast } from "@/server/auth/roles";
import type { MemberRole } from "@/lib/enums";
import { holdsUnstorable, UNSTORABLE_MESSAGE } from "@/server/db/storable";
import { logUnexpectedError, unexpectedErrorMessage } from "@/server/error-log";
import { requestOrigin } from "@/server/request-origin";
import type { AuditContext } from "@/server/services/access/audit";
import { ServiceError, type ServiceErrorKind } from "@/server/services/errors";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { resolveRequestTenant } from "./request-tenant";
import { isCrossSiteRequest } from "./same-origin";

/**
 * The database and auth instance are injected so tests drive the same procedures with
 * their own database and real sessions.
 */
export async function createTRPCContext(options: {
  headers: Headers;
  db: Database;
  auth: Auth;
  dispatcher: RunDispatcher;
}) {
  const session = await options.auth.api.getSession({ headers: options.headers });
  return {
    db: options.db,
    auth: options.auth,
    dispatcher: options.dispatcher,
    headers: options.headers,
    session,
  };
}
export type TRPCContext = Awaited<ReturnType<typeof createTRPCContext>>;

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error, type, path }) => {
    // Anything but a deliberate TRPCError or a ServiceError (see serviceErrorProcedure) arrives
    // here as INTERNAL_SERVER_ERROR carrying the original message (drizzle's is the SQL with its
    // parameters): the caller gets an error id, the log gets the detail.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      const errorId = logUnexpectedError(
        error.cause ?? error,
        `tRPC ${type} ${path ?? "<no path>"}`,
      );
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: unexpectedErrorMessage(errorId),
        data: { ...data, errorId, fieldErrors: null },
      };
    }
    return {
      ...shape,
      data: {
        ...shape.data,
        errorId: null,
        fieldErrors:
          error.cause instanceof ZodError
            ? z.flattenError(error.cause).fieldErrors
            : error.cause instanceof ServiceError
              ? (error.cause.fieldErrors ?? null)
              : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** The tRPC code of each kind of service error. */
export const TRPC_CODE_OF_KIND: Record<ServiceErrorKind, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  precondition: "PRECONDITION_FAILED",
  invalid: "BAD_REQUEST",
  unavailable: "SERVICE_UNAVAILABLE",
};

/** Service error codes whose tRPC code is not their kind's, listed here rather than found by instanceof. */
const TRPC_CODE_OVERRIDES: Readonly<Partial<Record<string, TRPC_ERROR_CODE_KEY>>> = {
  // The request is well formed but its key already started a different one: 422, as REST answers it.
  idempotency_key_reused: "UNPROCESSABLE_CONTENT",
};

/** The tRPC code a service error is answered with. */
export const trpcCodeOf = (error: ServiceError): TRPC_ERROR_CODE_KEY =>
  TRPC_CODE_OVERRIDES[error.code] ?? TRPC_CODE_OF_KIND[error.kind];

/**
 * Service errors become TRPCErrors here, once, for every procedure; the service error stays the
 * cause (the error formatter reads its field errors). Anything else passes on as it is.
 */
const serviceErrorProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeOf(cause), message: cause.message, cause });
  }
  return result;
});

/** Every procedure's input, keys included, is refused before any query when PostgreSQL could not store it. */
const storableInputProcedure = serviceErrorProcedure.use(async ({ getRawInput, next }) => {
  if (holdsUnstorable(await getRawInput()))
    throw new TRPCError({ code: "BAD_REQUEST", message: `The input ${UNSTORABLE_MESSAGE}` });
  return next();
});

export const publicProcedure = storableInputProcedure;

/** Signed in. */
export const protectedProcedure = storableInputProcedure.use(({ ctx, type, next }) => {
  // Session cookies ride along with any request a browser makes; mutations must come from our own pages.
  if (type === "mutation" && isCrossSiteRequest(ctx.headers)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site requests are refused." });
  }
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  const { user } = ctx.session;
  // Who the services write into the audit log for this request's changes.
  const audit: AuditContext = {
    actor: { type: "user", id: user.id },
    origin: requestOrigin(ctx.headers),
  };
  return next({ ctx: { ...ctx, session: ctx.session.session, user, audit } });
});

/**
 * Signed in and a member of the tenant the request names, which must be the session's active
 * tenant (see resolveRequestTenant). `ctx.tenant` carries the tenant id every service call must
 * pass, and the caller's role for permission checks.
 */
export const tenantProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const tenant = await resolveRequestTenant(ctx.db, {
    userId: ctx.user.id,
    headers: ctx.headers,
    activeTenantId: ctx.session.activeOrganizationId,
  });
  return next({ ctx: { ...ctx, tenant } });
});

/** A tenant procedure that also requires at least `role` (viewer < operator < admin < owner). */
export const roleProcedure = (role: MemberRole) =>
  tenantProcedure.use(({ ctx, next }) => {
    if (!roleAtLeast(ctx.tenant.role, role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${role} role or higher.` });
    }
    return next();
  });
