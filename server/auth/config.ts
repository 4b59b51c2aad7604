import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { organization } from "better-auth/plugins";
import { asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { env } from "@/server/env";
import { accessControl, authRoles } from "./roles";

/**
 * Email + password sign-in with sessions in PostgreSQL. Tenants are the library's
 * organizations; a new session starts in the user's oldest membership so the console
 * always opens on a tenant.
 */
export function createAuth(db: Database) {
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
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    plugins: [
      organization({
        ac: accessControl,
        roles: authRoles,
        creatorRole: "owner",
        allowUserToCreateOrganization: false,
      }),
      nextCookies(),
    ],
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
