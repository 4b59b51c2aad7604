import { uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, signInAsDemoAdmin } from "./support";

// A session of its own: switching tenants moves the session, which the other specs share.
test.use({ storageState: { cookies: [], origins: [] } });

test("a tenant switch in another tab cannot redirect this tab's changes: they are refused and the tab offers a reload", async ({
  page,
  context,
  browserConsole,
}) => {
  const email = `${uniqueScriptKey("two-tabs")}@acme.test`.toLowerCase();
  await signInAsDemoAdmin(page);
  await page.goto("/settings");
  await expect(page.getByRole("button", { name: "Tenant: Acme Operations" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Members" })).toBeVisible();

  const otherTab = await context.newPage();
  await otherTab.goto("/skills");
  await otherTab.getByRole("button", { name: "Tenant: Acme Operations" }).click();
  await otherTab.getByRole("menuitemradio", { name: /Globex Research/ }).click();
  await expect(otherTab.getByRole("button", { name: "Tenant: Globex Research" })).toBeVisible();

  // The first tab still shows Acme, and its invitation is refused rather than sent to Globex.
  browserConsole.expectRefused("/api/trpc/members.invite", 412);
  await page.bringToFront();
  await expect(page.getByRole("button", { name: "Tenant: Acme Operations" })).toBeVisible();
  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  await expect(dialog.getByRole("alert")).toContainText(
    "This tab shows Acme Operations; you switched to Globex Research in another tab. Reload the page to continue in Globex Research.",
  );
  await dialog.getByRole("button", { name: "Cancel" }).click();
  const notice = page.getByTestId("stale-tab-notice");
  await expect(notice).toContainText(
    "This tab shows Acme Operations; you switched to Globex Research in another tab.",
  );

  await notice.getByRole("button", { name: "Reload" }).click();
  await expect(page.getByRole("button", { name: "Tenant: Globex Research" })).toBeVisible();
  await expect(notice).toHaveCount(0);

  // Switching back here makes the other tab the stale one; Acme has no trace of the refused invitation.
  await page.getByRole("button", { name: "Tenant: Globex Research" }).click();
  await page.getByRole("menuitemradio", { name: /Acme Operations/ }).click();
  await expect(page.getByRole("button", { name: "Tenant: Acme Operations" })).toBeVisible();
  await expect(
    page
      .getByRole("table", { name: "Pending invitations" })
      .or(page.getByText("No pending invitations")),
  ).toBeVisible();
  await expect(page.locator(`tr[data-invitation-email="${email}"]`)).toHaveCount(0);
  await expect(notice).toHaveCount(0);
});
