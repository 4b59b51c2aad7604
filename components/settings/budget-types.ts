import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

/** The month's budget status as the console receives it. */
export type BudgetStatusView = inferRouterOutputs<AppRouter>["budgets"]["status"];
