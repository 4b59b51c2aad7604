import { inngest } from "@/inngest/client";
import { getAuth } from "@/server/auth";
import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { handleTRPCRequest } from "@/server/trpc/http-handler";

function handler(request: Request) {
  return handleTRPCRequest(request, {
    context: () => ({ db: getDb(), auth: getAuth(), dispatcher: inngest }),
    logExpectedErrors: env.NODE_ENV === "development",
  });
}

export { handler as GET, handler as POST };
