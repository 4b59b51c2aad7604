import { defineConfig, devices } from "@playwright/test";
import { EMBEDDED_ENGINE_ENV } from "./e2e/app-env";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium";
import { e2ePort } from "./e2e/shard";

/**
 * The console walk against `next dev` (e2e/console-walk.dev.ts): React reports hydration
 * mismatches only in development, so the production suite (playwright.config.ts) cannot see
 * them. `npm run test:e2e` runs this after the main suite's shard 2. The app is a new user's
 * `npm run dev`: the real launcher in dev mode with the demo seed, on a throwaway database, and
 * no model configured.
 */
const port = e2ePort("E2E_DEV_PORT", 3102);
// E2E_DEV_BASE_URL points the walk at a `npm run dev` you already run, to iterate fast.
const existingApp = process.env.E2E_DEV_BASE_URL;
const baseURL = existingApp ?? `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  testMatch: /\.dev\.ts$/,
  outputDir: "test-results/dev",
  tsconfig: "./tsconfig.e2e.json",
  workers: 1,
  forbidOnly: !!process.env.CI,
  // Its own folder: the html reporter empties its folder first, and this runs after the main
  // suite, whose report (with the UX walk's screenshots) is playwright-report/.
  reporter: process.env.CI
    ? [["list"], ["html", { open: "never", outputFolder: "playwright-report/dev" }]]
    : "list",
  // next dev compiles each route on its first request.
  timeout: 300_000,
  expect: { timeout: 60_000 },
  use: {
    ...devices["Desktop Chrome"],
    baseURL,
    viewport: { width: 1024, height: 768 },
    navigationTimeout: 120_000,
    trace: { mode: "retain-on-failure", screenshots: false, snapshots: false },
    screenshot: "only-on-failure",
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  webServer: existingApp
    ? undefined
    : {
        command: "node --import tsx --conditions=react-server scripts/launch.ts dev --ephemeral",
        url: `${baseURL}/api/health`,
        timeout: 300_000,
        reuseExistingServer: false,
        gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
        stdout: "pipe",
        stderr: "pipe",
        env: {
          PORT: String(port),
          SKILLRUN_PG_PORT: String(e2ePort("E2E_DEV_PG_PORT", 15441)),
          SKILLRUN_ENGINE_PORT: String(e2ePort("E2E_DEV_ENGINE_PORT", 8301)),
          SKILLRUN_DEMO: "1",
          ...EMBEDDED_ENGINE_ENV,
          // A new user's machine: the launcher generates the engine's keys.
          SKILLRUN_ENGINE_SIGNING_KEY: "",
          SKILLRUN_ENGINE_EVENT_KEY: "",
          BETTER_AUTH_URL: baseURL,
          // A new user's machine: no model provider is configured, whatever the shell has.
          SKILLRUN_DEFAULT_MODEL: "",
          OPENAI_API_KEY: "",
          ANTHROPIC_API_KEY: "",
          AWS_ACCESS_KEY_ID: "",
          AWS_SECRET_ACCESS_KEY: "",
          OPENAI_COMPATIBLE_BASE_URL: "",
          OPENAI_COMPATIBLE_API_KEY: "",
        },
      },
});
