import "server-only";
import { TRPCError } from "@trpc/server";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole } from "@/lib/roles";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { Database } from "@/server/db/client";
import { getMemberships } from "@/server/services/access/tenants";

/**
 * The tenant a request acts in, and the caller's role there. The request names it (the
 * `TENANT_HEADER` the console sends: the tenant its page was rendered for) and the session's
 * active tenant must be the same one. The session is shared by every tab, so without the
 * second condition a switch in another tab would make this tab's next mutation (an invitation,
 * an API key, a run of a built-in skill) land in the other tenant.
 */
export async function resolveRequestTenant(
  db: Database,
  request: { userId: string; headers: Headers; activeTenantId: string | null | undefined },
): Promise<{ id: string; role: MemberRole }> {
  const { activeTenantId } = request;
  if (!activeTenantId)
    throw new TRPCError({ code: "FORBIDDEN", message: "Choose a tenant first." });
  const namedTenantId = request.headers.get(TENANT_HEADER);
  if (!namedTenantId) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "This request does not say which tenant it is for. Reload the page.",
    });
  }
  const memberships = await getMemberships(db, {
    userId: request.userId,
    tenantIds: [namedTenantId, activeTenantId],
  });
  const named = memberships.find((membership) => membership.tenantId === namedTenantId);
  if (!named || !isMemberRole(named.role))
    throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of this tenant." });
  if (namedTenantId !== activeTenantId) {
    // The other tenant's name only when the user belongs to it.
    const active = memberships.find((membership) => membership.tenantId === activeTenantId);
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: active
        ? `This tab shows ${named.name}; you switched to ${active.name} in another tab. Reload the page to continue in ${active.name}.`
        : `This tab shows ${named.name}, which is no longer your active tenant. Reload the page.`,
    });
  }
  return { id: namedTenantId, role: named.role };
}
