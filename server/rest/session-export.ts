import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { Auth } from "@/server/auth/config";
import type { Database } from "@/server/db/client";
import { EXPORT_FORMATS, type ExportFormat } from "@/server/services/runs/run-export";
import type { RunListFilters } from "@/server/services/runs/run-queries";
import { isCrossSiteRequest } from "@/server/trpc/same-origin";
import { resolveRequestTenant } from "@/server/trpc/request-tenant";
import { apiError, errorResponse } from "./http";
import { exportResponse } from "./runs-api";

/** The query parameter naming the tab's tenant: a download link cannot send the tenant header. */
export const EXPORT_TENANT_PARAM = "tenant";

const isExportFormat = (value: string | null): value is ExportFormat =>
  (EXPORT_FORMATS as readonly (string | null)[]).includes(value);

/**
 * The console's export download (`/api/runs/export?format=…&tenant=…&<the history's filters>`):
 * a signed-in member of the tenant the tab shows, which must be the session's active one, as for
 * every tRPC call; a request from another site is refused even though it only reads, since the
 * answer is a file of the tenant's runs. `filters` are the history page's, parsed from its URL.
 */
export function createSessionExport(deps: { db: () => Database; auth: () => Auth }) {
  return async (request: Request, filters: RunListFilters): Promise<Response> => {
    try {
      if (isCrossSiteRequest(request.headers))
        return apiError(403, "forbidden", "Cross-site requests are refused.");
      const session = await deps.auth().api.getSession({ headers: request.headers });
      if (!session) return apiError(401, "unauthorized", "Sign in to continue.");
      const params = new URL(request.url).searchParams;
      const format = params.get("format");
      if (!isExportFormat(format))
        return apiError(400, "invalid_request", "Ask for format=csv or format=jsonl.", {
          format: [`must be one of ${EXPORT_FORMATS.join(", ")}`],
        });
      const headers = new Headers(request.headers);
      const tabTenant = params.get(EXPORT_TENANT_PARAM);
      if (tabTenant) headers.set(TENANT_HEADER, tabTenant);
      const tenant = await resolveRequestTenant(deps.db(), {
        userId: session.user.id,
        headers,
        activeTenantId: session.session.activeOrganizationId,
      });
      return exportResponse(deps.db(), tenant.id, filters, format);
    } catch (error) {
      if (error instanceof TRPCError)
        return apiError(getHTTPStatusCodeFromError(error), error.code.toLowerCase(), error.message);
      return errorResponse(error, "runs export");
    }
  };
}
