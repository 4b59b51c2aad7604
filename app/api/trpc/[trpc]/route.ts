import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { inngest } from "@/inngest/client";
import { getAuth } from "@/server/auth";
import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { createTRPCContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: request.headers, db: getDb(), auth: getAuth(), dispatcher: inngest }),
    onError:
      env.NODE_ENV === "development"
        ? ({ path, error }) => console.error(`tRPC ${path ?? "<no path>"} failed: ${error.message}`)
        : undefined,
  });
}

export { handler as GET, handler as POST };
