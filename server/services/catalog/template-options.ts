import "server-only";
import { env } from "@/server/env";

/**
 * The longest turn timeout a template may set: a turn must end (and record its failure) before
 * the reconciler judges its run stuck, so a minute under RUN_STALE_AFTER_SECONDS.
 */
export const maxTimeoutSeconds = () => Math.max(30, env.RUN_STALE_AFTER_SECONDS - 60);

/** Bounds the template form shows before the server enforces them. */
export function templateLimits() {
  return { maxTimeoutSeconds: maxTimeoutSeconds() };
}
