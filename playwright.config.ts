import { defineConfig, devices } from "@playwright/test";
import { ALERTS_EVALUATE_EVERY_SECONDS, EMBEDDED_ENGINE_ENV } from "./e2e/app-env";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium";
import { MODEL_SERVER_PORT, MODEL_SERVER_URL } from "./e2e/fixtures/model-script";
import { E2E_SECRETS } from "./e2e/secrets";
import {
  E2E_ENGINE_PORT,
  e2ePort,
  OUTPUT_DIR,
  REPORT_DIR,
  SECOND_SHARD_SPECS,
  SHARD,
} from "./e2e/shard";

const port = e2ePort("E2E_PORT", 3100);
/**
 * Specs that start a second app of their own (e2e/launch-app.ts) and touch nothing of the
 * suite's app: they wait on their app's start-up, so they run beside the main suite.
 */
const OWN_APP_SPECS = /(model-not-configured|owner-setup)\.spec\.ts$/;
/** The main suite's specs this run takes: all of them, or its shard's (e2e/shard.ts). */
const mainSuiteSpecs =
  SHARD?.current === 1
    ? { testIgnore: [OWN_APP_SPECS, SECOND_SHARD_SPECS] }
    : SHARD?.current === 2
      ? { testMatch: SECOND_SHARD_SPECS, testIgnore: OWN_APP_SPECS }
      : { testIgnore: OWN_APP_SPECS };
// E2E_BASE_URL points the specs at an app you already run (with the model server) to iterate fast.
const existingApp = process.env.E2E_BASE_URL;
const baseURL = existingApp ?? `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  // Specs import server modules (demo accounts, the skill catalog); like vitest.config.ts, this
  // maps their `import "server-only"` to an empty module, since a test runner is no client bundle.
  tsconfig: "./tsconfig.e2e.json",
  outputDir: OUTPUT_DIR,
  fullyParallel: false,
  // The main suite shares one app and its demo tenant, so it runs one spec at a time ("chromium",
  // one worker); the specs that start apps of their own ("own-app") run beside it.
  workers: 2,
  forbidOnly: !!process.env.CI,
  // Always an HTML report too: the UX walk (ux-walk.spec.ts) attaches every page's screenshot to
  // it for a reviewer, wherever the suite ran. `npx playwright show-report` opens it.
  reporter: [["list"], ["html", { open: "never", outputFolder: REPORT_DIR }]],
  // A whole flow (sign-in, several pages, runs through the engine) on a 2-core machine that also
  // runs the app, PostgreSQL, the engine and the browser: 30 s was exceeded under load alone.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    // A failed test keeps its trace (actions, console, network, errors) and its screenshot.
    // Left out: the screencast (encoding a frame of every paint cost the browser as much CPU as
    // the pages themselves) and the DOM snapshot around each action (12 % of the suite's CPU,
    // measured on runs and runs-list; `--trace on` records them when you debug a test).
    trace: { mode: "retain-on-failure", screenshots: false, snapshots: false },
    screenshot: "only-on-failure",
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/, use: { ...devices["Desktop Chrome"] } },
    {
      name: "chromium",
      dependencies: ["setup"],
      ...mainSuiteSpecs,
      workers: 1,
      // The narrowest width the console promises to be usable at.
      use: { ...devices["Desktop Chrome"], viewport: { width: 1024, height: 768 } },
    },
    // In shard 2 (e2e/shard.ts), or unsharded.
    ...(SHARD?.current === 1
      ? []
      : [
          {
            name: "own-app",
            testMatch: OWN_APP_SPECS,
            workers: 1,
            use: { ...devices["Desktop Chrome"], viewport: { width: 1024, height: 768 } },
          },
        ]),
  ],
  webServer: existingApp
    ? undefined
    : [
        // The scripted OpenAI-compatible model every run talks to (e2e/fixtures/model-server.ts).
        {
          command: `node --import tsx e2e/fixtures/model-server.ts --port ${MODEL_SERVER_PORT}`,
          url: `${MODEL_SERVER_URL}/__health`,
          timeout: 30_000,
          reuseExistingServer: false,
          stdout: "pipe",
          stderr: "pipe",
        },
        // The production build, started by the real launcher on a throwaway embedded database.
        {
          // `npm run test:e2e` builds once before its shards start (E2E_PREBUILT=1).
          command: `${process.env.E2E_PREBUILT ? "" : "node_modules/.bin/next build && "}node --import tsx --conditions=react-server scripts/launch.ts start --ephemeral`,
          url: `${baseURL}/api/health`,
          timeout: 300_000,
          reuseExistingServer: false,
          gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
          stdout: "pipe",
          stderr: "pipe",
          env: {
            PORT: String(port),
            // Below Linux's ephemeral range (32768–60999), where the chaos cases beside the suite
            // take free ports from: they can never hold this one.
            SKILLRUN_PG_PORT: String(e2ePort("E2E_PG_PORT", 15439)),
            SKILLRUN_ENGINE_PORT: String(E2E_ENGINE_PORT),
            // The specs sign in with the demo accounts: `npm start` seeds them only when asked.
            SKILLRUN_DEMO: "1",
            ...EMBEDDED_ENGINE_ENV,
            BETTER_AUTH_URL: baseURL,
            // Every run's model is the scripted server; no real provider is reachable.
            SKILLRUN_DEFAULT_MODEL: "openai-compatible:scripted",
            OPENAI_COMPATIBLE_BASE_URL: `${MODEL_SERVER_URL}/v1`,
            // Canaries: known secret values the secrets spec looks for where they must never appear.
            OPENAI_COMPATIBLE_API_KEY: E2E_SECRETS.modelApiKey,
            BETTER_AUTH_SECRET: E2E_SECRETS.authSecret,
            SKILLRUN_ENGINE_SIGNING_KEY: E2E_SECRETS.inngestSigningKey,
            SKILLRUN_ENGINE_EVENT_KEY: E2E_SECRETS.inngestEventKey,
            SKILLRUN_ENCRYPTION_KEY: E2E_SECRETS.encryptionKey,
            // Set by `npm test` only, which ran `npm run typecheck` (the same files, route types
            // included) just before: `npx playwright test` alone builds with the type check.
            ...(process.env.SKILLRUN_BUILD_SKIP_TYPECHECK
              ? { SKILLRUN_BUILD_SKIP_TYPECHECK: process.env.SKILLRUN_BUILD_SKIP_TYPECHECK }
              : {}),
            SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS: String(ALERTS_EVALUATE_EVERY_SECONDS),
            // The MCP spec serves its MCP server on 127.0.0.1 (the app's own ports stay refused).
            SKILLRUN_ALLOW_LOCAL_MCP: "1",
            OPENAI_API_KEY: "",
            ANTHROPIC_API_KEY: "",
            AWS_ACCESS_KEY_ID: "",
            AWS_SECRET_ACCESS_KEY: "",
          },
        },
      ],
});
