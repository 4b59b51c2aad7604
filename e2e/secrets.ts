/** Secret values the e2e app runs with, so specs can prove they never leave the server. */
export const E2E_SECRETS = {
  modelApiKey: "sk-e2e-canary-model-key-7d1f0c9a",
  authSecret: "e2e-canary-auth-secret-3b8e52f6a1c94d07b2e6",
  // The embedded engine's keys (the launcher uses these instead of generating its own). A
  // signing key is hex after its prefix, so the canary is a recognisable hex pattern.
  inngestSigningKey: `signkey-prod-${"e2eca9a7".repeat(8)}`,
  inngestEventKey: "e2e-canary-inngest-event-key-5a0c7e21d9b4",
  // Encrypts MCP tokens and webhook secrets at rest: 32 bytes, as hex.
  encryptionKey: "e2ec0de5".repeat(8),
};
