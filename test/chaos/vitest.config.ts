import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * `npm run test:chaos`: process-level chaos cases (test/chaos/*.chaos.ts). Each case starts
 * the real launcher or the engine CLI in child processes, so the cases run one at a time, in
 * one worker, and need none of the unit suite's per-file databases. The `.chaos.ts` suffix keeps them out of
 * `npm run test:unit` (which collects `*.test.ts`).
 */
export default defineConfig({
  root,
  resolve: {
    alias: {
      "@": root,
      "server-only": path.join(root, "test/empty-module.ts"),
    },
  },
  test: {
    include: ["test/chaos/**/*.chaos.ts"],
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    // Liveness deadlines live inside the cases; these only stop a wedged case.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    env: {
      // The harness imports services (API keys) that validate the environment on import.
      BETTER_AUTH_SECRET: "chaos-secret-chaos-secret-chaos-secret-0123",
      BETTER_AUTH_URL: "http://localhost:3000",
      DATABASE_URL: "",
    },
  },
});
