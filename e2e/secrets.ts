/** Secret values the e2e app runs with, so specs can prove they never leave the server. */
export const E2E_SECRETS = {
  modelApiKey: "sk-e2e-canary-model-key-7d1f0c9a",
  authSecret: "e2e-canary-auth-secret-3b8e52f6a1c94d07b2e6",
};
