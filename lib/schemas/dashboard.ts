import { z } from "zod";
import { DASHBOARD_WINDOWS } from "@/lib/dashboard";

/** The dashboard's window, narrowed to one skill and/or one agent of the caller's tenant. */
export const dashboardInput = z.object({
  window: z.enum(DASHBOARD_WINDOWS).default("24h"),
  skillId: z.uuid().optional(),
  agentId: z.uuid().optional(),
});
export type DashboardInput = z.infer<typeof dashboardInput>;
