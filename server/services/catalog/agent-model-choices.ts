import "server-only";
import { missingModelSettings } from "@/server/agent/models";
import { env } from "@/server/env";

/**
 * Models the picker suggests, by provider (the registry's names, see server/agent/models.ts).
 * Any other `provider:model` can still be typed: providers add models faster than this list.
 */
const SUGGESTED_MODELS: { provider: string; label: string; models: string[] }[] = [
  {
    provider: "openai",
    label: "OpenAI",
    models: ["gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"],
  },
  {
    provider: "anthropic",
    label: "Anthropic",
    models: ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
  },
  {
    provider: "bedrock",
    label: "Amazon Bedrock",
    models: ["anthropic.claude-sonnet-4-5-20250929-v1:0"],
  },
  // Its models are whatever the deployment's server hosts: the default, if it is one, or typed.
  { provider: "openai-compatible", label: "OpenAI-compatible server", models: [] },
];

/**
 * The `provider:model` choices for an agent's model, each provider marked with the settings it
 * still needs on this deployment (none: it can run). Tenant-independent: the keys are the
 * deployment's.
 */
export function modelChoices() {
  const deploymentDefault = env.SKILLRUN_DEFAULT_MODEL;
  return {
    deploymentDefault,
    providers: SUGGESTED_MODELS.map(({ provider, label, models }) => {
      const names = models.map((model) => `${provider}:${model}`);
      if (deploymentDefault.startsWith(`${provider}:`) && !names.includes(deploymentDefault))
        names.unshift(deploymentDefault);
      const missingSettings = missingModelSettings(`${provider}:any`) ?? [];
      return {
        provider,
        label,
        models: names,
        configured: missingSettings.length === 0,
        missingSettings,
      };
    }),
  };
}
