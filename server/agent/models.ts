import "server-only";
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { env } from "@/server/env";
import type { RetryableModel } from "./model-retry";

/**
 * Models are named `provider:model`. No model is bundled: a provider without its settings
 * is "not configured", and the error names the variable to set.
 */
export class ModelNotConfiguredError extends Error {
  readonly code = "model_not_configured";
  constructor(
    readonly modelName: string,
    readonly missing: string[],
  ) {
    super(
      missing.length
        ? `Model "${modelName}" is not configured: set ${missing.join(" and ")}.`
        : `Model "${modelName}" is not a known provider:model name (providers: ${Object.keys(PROVIDERS).join(", ")}).`,
    );
  }
}

type Provider = {
  requires: (keyof typeof env)[];
  /** The settings an operator fixes when the provider rejects the credentials (401/403). */
  credentials: (keyof typeof env)[];
  create: (modelId: string) => RetryableModel;
};

const PROVIDERS: Record<string, Provider> = {
  openai: {
    requires: ["OPENAI_API_KEY"],
    credentials: ["OPENAI_API_KEY"],
    create: (id) => createOpenAI({ apiKey: env.OPENAI_API_KEY })(id),
  },
  anthropic: {
    requires: ["ANTHROPIC_API_KEY"],
    credentials: ["ANTHROPIC_API_KEY"],
    create: (id) => createAnthropic({ apiKey: env.ANTHROPIC_API_KEY })(id),
  },
  bedrock: {
    requires: ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    credentials: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    create: (id) =>
      createAmazonBedrock({
        region: env.AWS_REGION,
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      })(id),
  },
  "openai-compatible": {
    requires: ["OPENAI_COMPATIBLE_BASE_URL"],
    credentials: ["OPENAI_COMPATIBLE_API_KEY"],
    create: (id) =>
      createOpenAICompatible({
        name: "openai-compatible",
        baseURL: env.OPENAI_COMPATIBLE_BASE_URL ?? "",
        apiKey: env.OPENAI_COMPATIBLE_API_KEY,
      })(id),
  },
};

export type ModelResolver = (modelName: string) => RetryableModel;

function parseModelName(modelName: string): { provider: Provider | undefined; modelId: string } {
  const separator = modelName.indexOf(":");
  const provider = separator > 0 ? PROVIDERS[modelName.slice(0, separator)] : undefined;
  return { provider, modelId: modelName.slice(separator + 1) };
}

/** Which variables a model still needs (empty when it can run). Cheap: for the UI's markers. */
export function missingModelSettings(modelName: string): string[] | null {
  const { provider, modelId } = parseModelName(modelName);
  if (!provider || !modelId) return null;
  return provider.requires.filter((name) => !env[name]);
}

/** The providers a model name may start with, and the settings each still needs (empty: ready). */
export function modelProviders(): { id: string; missingSettings: string[] }[] {
  return Object.entries(PROVIDERS).map(([id, provider]) => ({
    id,
    missingSettings: provider.requires.filter((name) => !env[name]),
  }));
}

/** The settings that hold a model's credentials, named in a 401/403 failure's hint. */
export function credentialSettings(modelName: string): string[] {
  return parseModelName(modelName).provider?.credentials ?? [];
}

/** The production resolver: the provider packages, configured from the environment. */
export const resolveModel: ModelResolver = (modelName) => {
  const { provider, modelId } = parseModelName(modelName);
  if (!provider || !modelId) throw new ModelNotConfiguredError(modelName, []);
  const missing = provider.requires.filter((name) => !env[name]);
  if (missing.length) throw new ModelNotConfiguredError(modelName, missing);
  return provider.create(modelId);
};
