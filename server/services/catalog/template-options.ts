import "server-only";
import { missingModelSettings, modelProviders } from "@/server/agent/models";
import { PRICED_MODELS } from "@/server/agent/prices";
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

/**
 * The model picker's choices: each provider with the settings it still needs (a provider whose
 * key is not set can be chosen, and runs fail with a clear error until it is) and the models
 * Skillrun knows a price for, plus the deployment default a null model means.
 */
export function listModelChoices() {
  const deploymentDefault = env.SKILLRUN_DEFAULT_MODEL;
  return {
    deploymentDefault: {
      model: deploymentDefault,
      configured: missingModelSettings(deploymentDefault)?.length === 0,
    },
    providers: modelProviders().map((provider) => ({
      ...provider,
      configured: provider.missingSettings.length === 0,
      models: PRICED_MODELS.filter((model) => model.startsWith(`${provider.id}:`)),
    })),
  };
}
