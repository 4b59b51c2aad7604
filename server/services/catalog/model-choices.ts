import "server-only";
import { missingModelSettings, modelProviders } from "@/server/agent/models";
import { pricedModels } from "@/server/agent/prices";
import { env } from "@/server/env";

/** How the picker names each provider; an unnamed one shows its id. */
const PROVIDER_LABELS: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  bedrock: "Amazon Bedrock",
  "openai-compatible": "OpenAI-compatible server",
};

/**
 * The model picker's choices, for a template's default model and an agent's override alike:
 * each provider with the settings it still needs (a provider whose key is not set can be chosen,
 * and runs fail with a clear error until it is) and the models Skillrun knows a price for, plus
 * the deployment default a null model means. Tenant-independent: the keys are the deployment's.
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
      label: PROVIDER_LABELS[provider.id] ?? provider.id,
      configured: provider.missingSettings.length === 0,
      models: pricedModels().filter((model) => model.startsWith(`${provider.id}:`)),
    })),
  };
}
