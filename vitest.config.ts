import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const root = import.meta.dirname;

/**
 * Files that spend most of their time waiting on a clock (a real cron minute, lock handovers),
 * started first: without cached timings (a clean clone, as in CI) Vitest runs the largest files
 * first, and these short files would end the run with one worker waiting and the other idle.
 */
const WAITING_FILES = [
  "inngest/engine/test/cron.test.ts",
  "inngest/engine/test/leadership.test.ts",
  "inngest/engine/test/lost-finalize-answer.test.ts",
];

class WaitingFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = WAITING_FILES.findIndex((suffix) => file.moduleId.endsWith(suffix));
      return index === -1 ? WAITING_FILES.length : index;
    };
    // Array.prototype.sort is stable: every other file keeps Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // Guards Next.js client bundles; tests run server modules directly.
      "server-only": path.join(root, "test/empty-module.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/fresh-file.ts", "test/setup-database.ts"],
    pool: "forks",
    // Files share their worker process: a new process per file spent more CPU starting Node and
    // loading node_modules than the files spent testing. test/fresh-file.ts gives each file
    // fresh app modules and environment.
    isolate: false,
    // Vitest's default is one worker less than the cores: on the 2-core CI machine one worker,
    // idle whenever its file waits on PostgreSQL, an engine, an HTTP server or a timer. Each
    // file has its own database (test/setup-database.ts), so two run side by side.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: WaitingFilesFirst },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: {
      NODE_ENV: "test",
      BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
      BETTER_AUTH_URL: "http://localhost:3000",
      // Secrets at rest (server/crypto/secrets.ts): 32 bytes, as hex.
      SKILLRUN_ENCRYPTION_KEY: "7e57".repeat(16),
      SKILLRUN_ENCRYPTION_KEY_PREVIOUS: "",
      SKILLRUN_DEFAULT_MODEL: "openai:gpt-4.1-mini",
      // Tests stand behind proxies on loopback and 10/8, so the last other hop of a test request's
      // X-Forwarded-For is its client address; tests of an app without a proxy pass their own list.
      SKILLRUN_TRUSTED_PROXIES: "127.0.0.1,10.0.0.0/8",
      // Tests never reach a real model provider, whatever the developer's shell has.
      OPENAI_API_KEY: "",
      ANTHROPIC_API_KEY: "",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      OPENAI_COMPATIBLE_BASE_URL: "",
      // The tests' MCP servers listen on 127.0.0.1; the refusal without this is tested with an explicit policy.
      SKILLRUN_ALLOW_LOCAL_MCP: "1",
    },
  },
});
