import type { Page } from "@playwright/test";
import { uniqueScriptKey } from "./fixtures/model-script";
import { trpcMutation } from "./trpc";
import { expect, test, ADMIN_STATE } from "./support";

test.use({ storageState: ADMIN_STATE });

/** Joins through an invitation link as a new account (no email sign-in for the rate limit to count). */
async function acceptAsNewAccount(page: Page, link: string, name: string, password: string) {
  await page.goto(link);
  const form = page.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill(name);
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("an admin writes a guardrail with a denied pattern, tests text against it, and a template that uses it; a viewer sees both read-only", async ({
  page,
  browser,
  browserConsole,
}) => {
  const key = uniqueScriptKey("guard").slice(-8);
  const guardrailName = `No project names ${key}`;
  const templateName = `Careful writer ${key}`;

  // The guardrail: a pattern RE2 cannot match in linear time is refused beside the field (the
  // server is the judge of that: the browser checks only lengths).
  browserConsole.expectRefused("/api/trpc/guardrails.create", 400);
  await page.goto("/agents/guardrails");
  await page.getByRole("link", { name: "New guardrail" }).click();
  const guardrailForm = page.getByRole("form", { name: "New guardrail" });
  await guardrailForm.getByLabel("Name", { exact: true }).fill(guardrailName);
  await guardrailForm.getByLabel("Denied terms").fill("internal only");
  const patterns = guardrailForm.getByLabel("Denied patterns");
  await patterns.fill("\\d{3}-\\d{4}\n(?!draft)final");
  await guardrailForm.getByRole("button", { name: "Create guardrail" }).click();
  await expect(
    guardrailForm.getByText("Pattern 2 uses a look-ahead", { exact: false }),
  ).toBeVisible();
  await patterns.fill("\\bproject\\s+\\w+");
  await guardrailForm.getByLabel("Personal data").selectOption("mask");

  // "Test this text" applies the unsaved rules with the runtime's checks.
  await guardrailForm
    .getByLabel("Text to test")
    .fill("Notes on Project Falcon for ana@example.com");
  await guardrailForm.getByRole("button", { name: "Test text" }).click();
  const result = guardrailForm.getByRole("status");
  await expect(result.getByText("Would be refused")).toBeVisible();
  await expect(result).toContainText(
    "Matched the denied pattern \\bproject\\s+\\w+ at characters 10–23",
  );
  await expect(result.locator("mark")).toHaveText("Project Falcon");
  await expect(result).toContainText("Notes on Project Falcon for [email address removed]");

  await guardrailForm.getByRole("button", { name: "Create guardrail" }).click();
  await expect(page).toHaveURL(/\/agents\/guardrails\/[0-9a-f-]{36}$/);
  const guardrailUrl = page.url();
  await expect(page.getByRole("heading", { name: guardrailName, level: 1 })).toBeVisible();

  // The template: a taken name comes back from the server beside the field.
  await page.goto("/agents/templates/new");
  const templateForm = page.getByRole("form", { name: "New template" });
  await templateForm.getByLabel("Name", { exact: true }).fill("Operations analyst");
  await templateForm.getByLabel("System prompt").fill("You write carefully and briefly.");
  await expect(templateForm.getByText("32 of 50,000 characters", { exact: false })).toBeVisible();
  await templateForm.getByLabel("Current time").check();
  await templateForm
    .getByLabel("Guardrail", { exact: true })
    .selectOption({ label: guardrailName });
  await templateForm.getByLabel("Maximum steps").fill("5");
  await templateForm.getByLabel("Timeout (seconds)").fill("120");
  browserConsole.expectRefused("/api/trpc/templates.create", 409);
  await templateForm.getByRole("button", { name: "Create template" }).click();
  await expect(
    templateForm.getByText("Name is already the name of another template"),
  ).toBeVisible();
  await templateForm.getByLabel("Name", { exact: true }).fill(templateName);
  await templateForm.getByRole("button", { name: "Create template" }).click();
  await expect(page).toHaveURL(/\/agents\/templates\/[0-9a-f-]{36}$/);
  const templateUrl = page.url();
  await expect(page.getByRole("heading", { name: templateName, level: 1 })).toBeVisible();
  await expect(page.getByLabel("Guardrail", { exact: true })).toHaveValue(
    guardrailUrl.split("/").pop() ?? "",
  );
  await page.goto(guardrailUrl);
  await expect(page.getByRole("link", { name: templateName })).toBeVisible();

  // A viewer reads both pages, changes nothing, and can still test text.
  const viewer = { email: `${key}-viewer@acme.test`.toLowerCase(), password: "viewer-own-pass" };
  const invitation = await trpcMutation(page.request, "members.invite", {
    email: viewer.email,
    role: "viewer",
  });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await acceptAsNewAccount(viewerPage, invitation.path, "Vic Viewer", viewer.password);

  await viewerPage.goto("/agents/guardrails");
  await expect(viewerPage.getByRole("link", { name: guardrailName })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "New guardrail" })).toHaveCount(0);
  await viewerPage.goto(guardrailUrl);
  await expect(viewerPage.getByText("You can view this guardrail")).toBeVisible();
  await expect(viewerPage.getByLabel("Denied patterns")).toBeDisabled();
  await expect(viewerPage.getByLabel("Denied patterns")).toHaveValue("\\bproject\\s+\\w+");
  for (const name of ["Save guardrail", "Delete", "Duplicate"])
    await expect(viewerPage.getByRole("button", { name })).toHaveCount(0);
  await viewerPage.getByLabel("Text to test").fill("internal only, please");
  await viewerPage.getByRole("button", { name: "Test text" }).click();
  await expect(viewerPage.getByRole("status")).toContainText(
    "Matched the denied term internal only",
  );

  await viewerPage.goto("/agents/templates");
  await expect(viewerPage.getByRole("link", { name: "New template" })).toHaveCount(0);
  await viewerPage.goto(templateUrl);
  await expect(viewerPage.getByText("You can view this template")).toBeVisible();
  await expect(viewerPage.getByLabel("System prompt")).toBeDisabled();
  await expect(viewerPage.getByLabel("System prompt")).toHaveValue(
    "You write carefully and briefly.",
  );
  for (const name of ["Save template", "Delete", "Duplicate"])
    await expect(viewerPage.getByRole("button", { name })).toHaveCount(0);
  await context.close();
});
