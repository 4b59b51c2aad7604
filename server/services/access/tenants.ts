import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { memberships, tenants } from "@/server/db/schema";

/** The user's memberships among these tenants, with each tenant's name (in one query). */
export function getMemberships(
  db: Database,
  { userId, tenantIds }: { userId: string; tenantIds: string[] },
) {
  return db
    .select({ tenantId: memberships.organizationId, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.organizationId))
    .where(and(eq(memberships.userId, userId), inArray(memberships.organizationId, tenantIds)));
}

/** The tenants a user belongs to, oldest membership first, with the user's role in each. */
export function listUserTenants(db: Database, userId: string) {
  return db
    .select({ id: tenants.id, name: tenants.name, slug: tenants.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(tenants.name));
}
