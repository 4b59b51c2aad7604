import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/** One webhook as its page shows it. */
export type WebhookData = inferRouterOutputs<AppRouter>["webhooks"]["get"];
