"use client";

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  loggerLink,
  splitLink,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { isDevelopmentBuild } from "@/lib/build-mode";
import { MAX_TRPC_BATCH_CALLS } from "@/lib/trpc-limits";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { AppRouter } from "@/server/trpc/root";
import { makeQueryClient } from "./query-client";
import { getTabTenantId } from "./tab-tenant";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

let browserQueryClient: QueryClient | undefined;
function getQueryClient() {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

/** Read per request: the tenant this tab shows, which the server checks against the session. */
function tabTenantHeader(): Record<string, string> {
  const tenantId = getTabTenantId();
  return tenantId ? { [TENANT_HEADER]: tenantId } : {};
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Every call in a developer's console; none in production, where a refused or failed
        // request is the page's to explain (QueryView, toasts), not a log line for the operator.
        loggerLink({ enabled: () => isDevelopmentBuild }),
        // Form data (a document upload) goes alone, as multipart; everything else is batched.
        splitLink({
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink({ url: "/api/trpc", transformer: superjson, headers: tabTenantHeader }),
          false: httpBatchLink({
            url: "/api/trpc",
            transformer: superjson,
            maxItems: MAX_TRPC_BATCH_CALLS,
            headers: tabTenantHeader,
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
