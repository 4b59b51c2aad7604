/**
 * An installation whose model's provider has no credentials: the demo, started with
 * SKILLRUN_DEFAULT_MODEL on OpenAI and no OPENAI_API_KEY. The suite's app cannot show this (its
 * agents all run on the scripted model), so this spec starts a second one (launch-app.ts).
 */
import { hasProductionBuild, launchApp, type LaunchedApp } from "./launch-app";
import { EMAIL_SKILL, expect, signInAsDemoAdmin, test } from "./support";

const UNCONFIGURED_MODEL = "openai:gpt-4o-mini";

test.describe.configure({ mode: "serial", timeout: 180_000 });
test.skip(
  !hasProductionBuild(),
  "needs the production build the suite's web server makes (npm run build)",
);

let app: LaunchedApp | null = null;

test.beforeAll(async () => {
  app = await launchApp({
    SKILLRUN_DEMO: "1",
    SKILLRUN_DEFAULT_MODEL: UNCONFIGURED_MODEL,
    OPENAI_API_KEY: "",
    OPENAI_COMPATIBLE_BASE_URL: "",
    OPENAI_COMPATIBLE_API_KEY: "",
    ANTHROPIC_API_KEY: "",
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    // Localhost: the launcher may generate the secret into its (throwaway) data directory.
    BETTER_AUTH_SECRET: "",
  });
  await app.waitForLog(/ready in [\d.]+ s/);
});

test.afterAll(async () => {
  await app?.stop();
});

test("with no agent able to run, every page says which setting to set; the agents list and a run agree", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: app?.url });
  const page = await context.newPage();
  await signInAsDemoAdmin(page);

  const banner = page
    .getByRole("alert")
    .filter({ hasText: "No agent of this tenant has a configured model" });
  await expect(banner).toContainText("Runs will fail with model_not_configured.");
  await expect(banner).toContainText(`The agents use ${UNCONFIGURED_MODEL}; set OPENAI_API_KEY`);

  await page.getByRole("navigation").getByRole("link", { name: "Agents" }).click();
  await expect(banner).toBeVisible();
  const rows = page
    .getByRole("table", { name: "Agents" })
    .getByRole("row")
    .filter({ has: page.getByRole("link") });
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) {
    await expect(row).toContainText(UNCONFIGURED_MODEL);
    await expect(row).toContainText("Not configured");
    await expect(row).toContainText("Set OPENAI_API_KEY");
  }

  // What the banner warns of: a run fails, and says the same.
  await page.getByRole("navigation").getByRole("link", { name: "Skills" }).click();
  await page.getByRole("button", { name: `Run ${EMAIL_SKILL.name} now` }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
  await dialog.getByLabel("Customer's email").fill("Will this run without a model key?");
  await dialog.getByRole("button", { name: "Run now" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status")).toContainText("Failed", { timeout: 30_000 });
  const failure = page.getByTestId("run-failure");
  await expect(failure).toContainText("model_not_configured");
  await expect(failure).toContainText(
    `Model "${UNCONFIGURED_MODEL}" is not configured: set OPENAI_API_KEY.`,
  );
  await context.close();
});
