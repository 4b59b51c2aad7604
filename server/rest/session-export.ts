import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { Auth } from "@/server/auth/config";
import type { Database } from "@/server/db/client";
import { listRunsInput, type RunListFiltersInput } from "@/lib/schemas/runs";
import { EXPORT_FORMATS, type ExportFormat } from "@/server/services/runs/run-export";
import { isCrossSiteRequest } from "@/server/trpc/same-origin";
import { resolveRequestTenant } from "@/server/trpc/request-tenant";
import { apiError, errorResponse } from "./http";
import { exportResponse } from "./runs-api";

/** The query parameter naming the tab's tenant: a download link cannot send the tenant header. */
export const EXPORT_TENANT_PARAM = "tenant";

/** The history's filters, checked exactly as runs.list checks them (the list's page aside). */
const exportFilters = listRunsInput.omit({ cursor: true, limit: true });

const isExportFormat = (value: string | null): value is ExportFormat =>
  (EXPORT_FORMATS as readonly (string | null)[]).includes(value);

/**
 * The console's export download (`/api/runs/export?format=…&tenant=…&<the history's filters>`):
 * a signed-in member of the tenant the tab shows, which must be the session's active one, as for
 * every tRPC call; a request from another site is refused even though it only reads, since the
 * answer is a file of the tenant's runs. `filters` are the history page's, parsed from its URL;
 * filters runs.list refuses (a malformed tag, too many tags, a word-less or over-long search)
 * are a 400 with the same field errors, never a file of nothing.
 */
export function createSessionExport(deps: { db: () => Database; auth: () => Auth }) {
  return async (request: Request, filters: RunListFiltersInput): Promise<Response> => {
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
      const parsed = exportFilters.safeParse(filters);
      if (!parsed.success) {
        const fields: Record<string, string[]> = {};
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? "filters");
          (fields[field] ??= []).push(issue.message);
        }
        return apiError(400, "invalid_request", "The filters are not valid.", fields);
      }
      const headers = new Headers(request.headers);
      const tabTenant = params.get(EXPORT_TENANT_PARAM);
      if (tabTenant) headers.set(TENANT_HEADER, tabTenant);
      const tenant = await resolveRequestTenant(deps.db(), {
        userId: session.user.id,
        headers,
        activeTenantId: session.session.activeOrganizationId,
      });
      return exportResponse(deps.db(), tenant.id, parsed.data, format);
    } catch (error) {
      if (error instanceof TRPCError)
        return apiError(getHTTPStatusCodeFromError(error), error.code.toLowerCase(), error.message);
      return errorResponse(error, "runs export");
    }
  };
}
