import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import superjson from "superjson";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, startRunThroughApi } from "./support";

test.use({ storageState: ADMIN_STATE });

/** A tRPC call through the endpoint the UI uses, with the session of `request`. */
async function trpc<T>(request: APIRequestContext, path: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<{ status: number; data: T }> {
  const response =
    kind === "query"
      ? await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`)
      : await request.post(`/api/trpc/${path}`, { data: superjson.serialize(input), headers: { "content-type": "application/json" } });
  const body = (await response.json()) as { result?: { data: { json: T } } };
  return { status: response.status(), data: body.result?.data.json as T };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("an admin adds a new member with an initial password and changes their role", async ({ page }) => {
  const email = `${uniqueScriptKey("member")}@acme.test`.toLowerCase();
  await page.goto("/settings");
  const members = page.getByRole("table", { name: "Members" });
  const me = members.locator(`tr[data-member-email="${DEMO_ADMIN.email}"]`);
  await expect(me).toContainText("you");
  await expect(me).toContainText("owner");

  await page.getByRole("button", { name: "Add member" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a member" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Name").fill("Olive Operator");
  await dialog.getByLabel("Role").selectOption("operator");
  // A new email needs an initial password: the server says so and adds nobody.
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog.getByRole("alert")).toContainText("set an initial password");
  await dialog.getByLabel("Initial password").fill("olive-initial-pw");
  await dialog.getByLabel("Initial password").press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Account created for ${email}`)).toBeVisible();

  const row = members.locator(`tr[data-member-email="${email}"]`);
  await expect(row).toContainText("Olive Operator");
  const role = row.getByLabel(`Role of ${email}`);
  await expect(role).toHaveValue("operator");

  // Choosing a role changes nothing until it is saved.
  await role.selectOption("viewer");
  await row.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByText(`${email} is now a viewer`)).toBeVisible();
  await expect(row.getByRole("button", { name: "Save role" })).toHaveCount(0);
  await page.reload();
  await expect(members.locator(`tr[data-member-email="${email}"]`).getByLabel(`Role of ${email}`)).toHaveValue("viewer");

  // Adding the same person again is refused with a reason.
  await page.getByRole("button", { name: "Add member" }).click();
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog.getByRole("alert")).toContainText(`${email} is already a member of this tenant.`);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Removing asks first.
  await members.locator(`tr[data-member-email="${email}"]`).getByRole("button", { name: `Remove ${email}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove member" }).click();
  await expect(members.locator(`tr[data-member-email="${email}"]`)).toHaveCount(0);
});

test("a viewer sees no Run now, cannot create or edit schedules, and Settings says it needs the admin role", async ({ page, browser }) => {
  // The admin prepares a viewer, a finished run and a schedule to look at.
  const key = uniqueScriptKey("viewer");
  const viewer = { email: `${key}@acme.test`.toLowerCase(), password: "viewer-initial-pw" };
  expect((await trpc(page.request, "members.add", { email: viewer.email, name: "Vera Viewer", role: "viewer", password: viewer.password })).status).toBe(200);
  await scriptModel(key, [{ text: "# Done for the viewer" }]);
  const runId = await startRunThroughApi(page, { skillSlug: EMAIL_SKILL.slug, inputs: { customerEmail: `Please look ${scriptMarker(key)}` } });
  const skill = await trpc<{ id: string }>(page.request, "skills.get", { slug: EMAIL_SKILL.slug }, "query");
  const schedule = await trpc<{ id: string }>(page.request, "schedules.create", {
    name: `Viewer probe ${key.slice(-6)}`,
    skillId: skill.data.id,
    agentId: null,
    inputs: { customerEmail: { kind: "literal", value: "A scheduled question for the viewer" } },
    cron: "0 9 * * 1",
    timezone: "UTC",
    overlapPolicy: "skip",
    enabled: false,
  });
  expect(schedule.status).toBe(200);

  // One sign-in for the viewer (the auth rate limit counts attempts).
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer.email, viewer.password);

  // Skill catalog and skill detail.
  await expect(viewerPage.getByRole("list", { name: "Skills" }).getByRole("listitem").first()).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /^Run .* now$/ })).toHaveCount(0);
  await viewerPage.goto(`/skills/${EMAIL_SKILL.slug}`);
  await expect(viewerPage.getByRole("heading", { name: EMAIL_SKILL.name, level: 1 })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Run now" })).toHaveCount(0);
  await expect(viewerPage.getByRole("link", { name: "Schedule this skill" })).toHaveCount(0);

  // Run detail: the run is readable, nothing can be started from it.
  await viewerPage.goto(`/runs/${runId}`);
  await expect(viewerPage.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });
  for (const name of ["Re-run", "Re-run with changes", "Cancel"]) await expect(viewerPage.getByRole("button", { name, exact: true })).toHaveCount(0);

  // Command palette: pages and skills to open, none to run.
  await viewerPage.keyboard.press("Control+k");
  const palette = viewerPage.getByPlaceholder("Run a skill or go to a page…");
  await expect(palette).toBeFocused();
  await viewerPage.keyboard.type("customer email");
  await expect(viewerPage.getByRole("option", { name: `Skill: ${EMAIL_SKILL.name}` })).toBeVisible();
  await expect(viewerPage.getByRole("option", { name: `Run ${EMAIL_SKILL.name}` })).toHaveCount(0);
  await viewerPage.keyboard.press("Escape");

  // Schedules: readable, not changeable.
  await viewerPage.goto("/schedules");
  await expect(viewerPage.getByRole("table", { name: "Schedules" })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "New schedule" })).toHaveCount(0);
  await viewerPage.goto(`/schedules/${schedule.data.id}`);
  await expect(viewerPage.getByRole("heading", { name: `Viewer probe ${key.slice(-6)}`, level: 1 })).toBeVisible();
  for (const name of ["Run now", "Edit", "Delete"]) await expect(viewerPage.getByRole("main").getByRole(name === "Edit" ? "link" : "button", { name, exact: true })).toHaveCount(0);
  await viewerPage.goto("/schedules/new");
  await expect(viewerPage.getByTestId("needs-role")).toContainText("Creating a schedule needs the admin role");
  await expect(viewerPage.getByRole("form", { name: "New schedule" })).toHaveCount(0);
  await viewerPage.goto(`/schedules/${schedule.data.id}/edit`);
  await expect(viewerPage.getByTestId("needs-role")).toContainText("Editing a schedule needs the admin role");

  // Settings: the notice instead of API keys and members.
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByTestId("needs-role")).toContainText("Settings needs the admin role");
  await expect(viewerPage.getByTestId("needs-role")).toContainText("You are a viewer in this tenant.");
  await expect(viewerPage.getByRole("form", { name: "Create an API key" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: "Add member" })).toHaveCount(0);

  // And the server refuses what the UI does not offer.
  expect((await trpc(viewerPage.request, "runs.start", { skillSlug: EMAIL_SKILL.slug, inputs: { customerEmail: "Not allowed to run this" } })).status).toBe(403);
  expect((await trpc(viewerPage.request, "members.list", undefined, "query")).status).toBe(403);
  expect((await trpc(viewerPage.request, "schedules.delete", { scheduleId: schedule.data.id })).status).toBe(403);
  await context.close();
});
