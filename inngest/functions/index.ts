import type { InngestFunction } from "inngest";

/**
 * Every function the app serves. Run dispatch (`run-skill`, the reconciler) and schedules
 * register theirs here as they land.
 */
export const functions: InngestFunction.Any[] = [];
