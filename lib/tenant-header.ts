/**
 * The request header naming the tenant a tRPC request acts in: the tenant the page was
 * rendered for. The server refuses the request when it is not the session's active tenant,
 * so a tenant switch in another tab cannot redirect what this tab sends.
 */
export const TENANT_HEADER = "x-skillrun-tenant";
