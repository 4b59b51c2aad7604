import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/** One run as the run page shows it. */
export type RunData = inferRouterOutputs<AppRouter>["runs"]["get"];
