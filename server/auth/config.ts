import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { organization } from "better-auth/plugins";
import { asc, eq } from "drizzle-orm";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { env } from "@/server/env";
import { requestOrigin } from "@/server/request-origin";
import { recordFailedSignIn } from "@/server/services/audit";
import { DISABLED_LIBRARY_PATHS } from "./library-paths";
import { accessControl, authRoles } from "./roles";

/** Sign-in attempts per client address and window, in every environment (see `rateLimit` below). */
export const SIGN_IN_RATE_LIMIT = { window: 60, max: 5 };
/**
 * Sign-in attempts per account (typed email) and window, whatever address they come from: the
 * address limit trusts X-Forwarded-For, which a client reaching the app without a proxy that
 * overwrites it can set to anything. The cost: someone can hold an account's sign-in for up to
 * five minutes by guessing at it.
 */
export const SIGN_IN_ACCOUNT_LIMIT = { window: 300, max: 10 };

function emailOf(body: unknown): string {
  return body && typeof body === "object" && "email" in body && typeof body.email === "string" ? body.email : "";
}

/**
 * Email + password sign-in with sessions in PostgreSQL. Tenants are the library's
 * organizations; a new session starts in the user's oldest membership so the console
 * always opens on a tenant. Failed sign-ins go to the audit log.
 */
export function createAuth(db: Database) {
  const attemptsPerAccount = new RateLimiterMemory({ points: SIGN_IN_ACCOUNT_LIMIT.max, duration: SIGN_IN_ACCOUNT_LIMIT.window });
  return betterAuth({
    appName: "Skillrun",
    secret: env.BETTER_AUTH_SECRET,
    baseURL: env.BETTER_AUTH_URL,
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.users,
        session: schema.sessions,
        account: schema.accounts,
        verification: schema.verifications,
        organization: schema.tenants,
        member: schema.memberships,
        invitation: schema.invitations,
      },
    }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8 },
    // Memberships and tenants change only through Skillrun's audited services (see library-paths.ts).
    disabledPaths: DISABLED_LIBRARY_PATHS,
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // On everywhere, not only in production (the library's default), so dev and e2e behave as
    // deployed: the limit holds in every environment. Counted per client address (better-auth
    // reads X-Forwarded-For; `next start` fills it from the socket), per HTTP request to the
    // handler — direct `auth.api` calls (tests, server code) are not counted. Kept in memory:
    // one process, one count; several app instances would each allow the limit.
    rateLimit: {
      enabled: true,
      storage: "memory",
      customRules: { "/sign-in/email": SIGN_IN_RATE_LIMIT },
    },
    plugins: [
      organization({
        ac: accessControl,
        roles: authRoles,
        creatorRole: "owner",
        allowUserToCreateOrganization: false,
      }),
      nextCookies(),
    ],
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = emailOf(ctx.body).trim().toLowerCase();
        if (!email) return;
        try {
          await attemptsPerAccount.consume(email);
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          throw new APIError("TOO_MANY_REQUESTS", { message: `Too many sign-in attempts for this account; try again in ${Math.ceil(rejection.msBeforeNext / 1000)} s.` });
        }
      }),
      // A refused email sign-in (wrong password, unknown email, malformed email…) is logged after
      // the endpoint answers; a request stopped by the rate limiter never reaches it.
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email" || !isAPIError(ctx.context.returned)) return;
        const email = emailOf(ctx.body);
        const reason = ctx.context.returned.body?.code ?? null;
        try {
          await recordFailedSignIn(db, { email, origin: requestOrigin(ctx.request?.headers ?? ctx.headers), reason });
        } catch (error) {
          // The caller still gets the sign-in's own answer; a lost entry is logged, not turned into a 500.
          console.error(`failed sign-in not recorded in the audit log: ${String(error)}`);
        }
      }),
    },
    databaseHooks: {
      session: {
        create: {
          before: async (session) => {
            const [firstMembership] = await db
              .select({ tenantId: schema.memberships.organizationId })
              .from(schema.memberships)
              .where(eq(schema.memberships.userId, session.userId))
              .orderBy(asc(schema.memberships.createdAt))
              .limit(1);
            return { data: { ...session, activeOrganizationId: firstMembership?.tenantId ?? null } };
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
