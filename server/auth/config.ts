import { createHash } from "node:crypto";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { organization } from "better-auth/plugins";
import { asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { env } from "@/server/env";
import { requestOrigin } from "@/server/request-origin";
import { recordFailedSignIn } from "@/server/services/access/audit";
import { createRateLimits } from "@/server/services/access/rate-limits";
import { DISABLED_LIBRARY_PATHS } from "./library-paths";
import { accessControl, authRoles } from "./roles";

/** Sign-in attempts per client address and window, when the address is known (`SKILLRUN_TRUSTED_PROXIES`). */
export const SIGN_IN_RATE_LIMIT = { window: 60, max: 5 };
/**
 * Sign-in attempts per window of every client whose address is unknown, together: without a
 * trusted proxy no address can be told from a forged one, so they share one budget. Higher than
 * the per-address limit so a team signing in at once is not refused; the cost is that someone
 * can hold sign-in shut for everyone by spending it, until the proxy is configured.
 */
export const SIGN_IN_SHARED_LIMIT = { window: 60, max: 30 };
/**
 * Sign-in attempts per account (typed email) and window, whatever address they come from, so
 * guessing at one account is bounded however many addresses the guesser has. The cost: someone
 * can hold an account's sign-in for up to five minutes by guessing at it.
 */
export const SIGN_IN_ACCOUNT_LIMIT = { window: 300, max: 10 };

function emailOf(body: unknown): string {
  return body && typeof body === "object" && "email" in body && typeof body.email === "string"
    ? body.email
    : "";
}

export type AuthOptions = {
  /** The proxies whose `X-Forwarded-For` is believed; defaults to `SKILLRUN_TRUSTED_PROXIES`. */
  trustedProxies?: readonly string[];
};

/**
 * Email + password sign-in with sessions in PostgreSQL. Tenants are the library's
 * organizations; a new session starts in the user's oldest membership so the console
 * always opens on a tenant. Failed sign-ins go to the audit log.
 */
export function createAuth(db: Database, options: AuthOptions = {}) {
  const trustedProxies = options.trustedProxies ?? env.SKILLRUN_TRUSTED_PROXIES;
  const addressKnown = (request: Request) =>
    requestOrigin(request.headers, trustedProxies) !== null;
  // In PostgreSQL, so every app process counts against the same limits.
  const limits = createRateLimits(db);
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
    // The client address by the rule of server/request-origin.ts: X-Forwarded-For walked past
    // the trusted proxies, or none at all (better-auth then keys every request on one constant;
    // in development and tests, on 127.0.0.1).
    advanced: {
      ipAddress: trustedProxies.length
        ? { ipAddressHeaders: ["x-forwarded-for"], trustedProxies: [...trustedProxies] }
        : { ipAddressHeaders: [] },
    },
    // On everywhere, not only in production (the library's default), so dev and e2e behave as
    // deployed. Counted per HTTP request to the handler — direct `auth.api` calls (tests, server
    // code) are not — in PostgreSQL, so several app processes share each limit.
    rateLimit: {
      enabled: true,
      customStorage: {
        consume: async (key, rule) => {
          const retryAfter = await limits.take(`auth:${key}`, {
            points: rule.max,
            windowSeconds: rule.window,
          });
          return retryAfter > 0
            ? { allowed: false, retryAfter }
            : { allowed: true, retryAfter: null };
        },
      },
      // First match wins, in this order.
      customRules: {
        "/sign-in/email": (request) =>
          addressKnown(request) ? SIGN_IN_RATE_LIMIT : SIGN_IN_SHARED_LIMIT,
        // The library's general limits are per client; without an address they would make one
        // client's session checks count against everyone's, so they apply only when it is known.
        "/**": (request, currentRule) => (addressKnown(request) ? currentRule : false),
      },
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
        // Hashed: a fixed-length key whatever was typed, and no email addresses in the counters.
        const account = createHash("sha256").update(email).digest("hex");
        const retryAfter = await limits.take(`sign-in-account:${account}`, {
          points: SIGN_IN_ACCOUNT_LIMIT.max,
          windowSeconds: SIGN_IN_ACCOUNT_LIMIT.window,
        });
        if (retryAfter > 0)
          throw new APIError("TOO_MANY_REQUESTS", {
            message: `Too many sign-in attempts for this account; try again in ${retryAfter} s.`,
          });
      }),
      // A refused email sign-in (wrong password, unknown email, malformed email…) is logged after
      // the endpoint answers; a request stopped by the rate limiter never reaches it.
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email" || !isAPIError(ctx.context.returned)) return;
        const email = emailOf(ctx.body);
        const reason = ctx.context.returned.body?.code ?? null;
        try {
          await recordFailedSignIn(db, {
            email,
            origin: requestOrigin(ctx.request?.headers ?? ctx.headers, trustedProxies),
            reason,
          });
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
            return {
              data: { ...session, activeOrganizationId: firstMembership?.tenantId ?? null },
            };
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
