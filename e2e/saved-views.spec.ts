import type { Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

/** Joins through an invitation link with a password (a server-made session, no email sign-in). */
async function acceptAsNewAccount(page: Page, link: string, name: string, password: string) {
  await page.goto(link);
  const form = page.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill(name);
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("a view shared by one member appears in another's sidebar and opens the same filtered list", async ({
  page,
  browser,
}) => {
  const key = uniqueScriptKey("views");
  const tag = `team:v${key
    .slice(-8)
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()}`;
  await scriptModel(key, [{ text: "# For the saved view" }]);
  const { runId } = await trpcMutation(page.request, "runs.start", {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Keep this in view ${scriptMarker(key)}` },
    tags: [tag],
  });
  const name = `Team queue ${key.slice(-6)}`;

  // The admin filters the history by the tag and saves the view, shared.
  await page.goto(`/runs?tag=${tag}`);
  await expect(page.locator("[data-run-id]")).toHaveCount(1);
  await page.getByRole("button", { name: "Save view" }).click();
  const dialog = page.getByRole("dialog", { name: "Save view" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Share with the tenant").check();
  await dialog.getByRole("button", { name: "Save view" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: `Saved view: ${name}` })).toBeVisible();

  // A viewer who joins later finds it in the sidebar, and it opens the same list.
  const invitation = await trpcMutation(page.request, "members.invite", {
    email: `${key}@acme.test`.toLowerCase(),
    role: "viewer",
  });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await acceptAsNewAccount(viewerPage, invitation.path, "Vic Viewer", "viewer-own-password");
  const sidebar = viewerPage.getByRole("navigation", { name: "Main" }).filter({ visible: true });
  const link = sidebar.getByRole("list", { name: "Saved views" }).getByRole("link", { name });
  await link.click();
  await expect(viewerPage).toHaveURL(new RegExp(`/runs\\?tag=${tag}$`));
  const rows = viewerPage.locator("[data-run-id]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-run-id", runId);
  await expect(link).toHaveAttribute("aria-current", "true");
  // A viewer may not delete a view someone else shared.
  await viewerPage.getByRole("button", { name: `Saved view: ${name}` }).click();
  await expect(viewerPage.getByRole("menuitem", { name: "Save as a new view…" })).toBeVisible();
  await expect(viewerPage.getByRole("menuitem", { name: "Delete view…" })).toHaveCount(0);
  await context.close();
});

test("a creator demoted to viewer may stop sharing their view, not edit it while shared", async ({
  page,
  browser,
}) => {
  const key = uniqueScriptKey("demoted");
  const email = `${key}@acme.test`.toLowerCase();
  const invitation = await trpcMutation(page.request, "members.invite", {
    email,
    role: "operator",
  });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const creator = await context.newPage();
  await acceptAsNewAccount(creator, invitation.path, "Olga Operator", "operator-own-password");
  const name = `Failures ${key.slice(-6)}`;
  await creator.goto("/runs?status=failed");
  await creator.getByRole("button", { name: "Save view" }).click();
  const dialog = creator.getByRole("dialog", { name: "Save view" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Share with the tenant").check();
  await dialog.getByRole("button", { name: "Save view" }).click();
  const viewButton = creator.getByRole("button", { name: `Saved view: ${name}` });
  await expect(viewButton).toBeVisible();

  const member = (await trpcQuery(page.request, "members.list", undefined)).find(
    (row) => row.email === email,
  );
  await trpcMutation(page.request, "members.updateRole", { memberId: member!.id, role: "viewer" });
  await creator.reload();
  await viewButton.click();
  await expect(creator.getByRole("menuitem", { name: "Delete view…" })).toBeVisible();
  await expect(creator.getByRole("menuitem", { name: "Edit view…" })).toHaveCount(0);
  await creator.getByRole("menuitem", { name: "Stop sharing" }).click();
  await expect(creator.getByText("View no longer shared")).toBeVisible();
  // Private again, it is theirs alone to edit.
  await viewButton.click();
  await expect(creator.getByRole("menuitem", { name: "Edit view…" })).toBeVisible();
  await expect(creator.getByRole("menuitem", { name: "Stop sharing" })).toHaveCount(0);
  await context.close();
});
