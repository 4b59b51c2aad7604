import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { memberships, tenants } from "@/server/db/schema";

export async function getMembership(db: Database, { userId, tenantId }: { userId: string; tenantId: string }) {
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, tenantId)));
  return membership ?? null;
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
