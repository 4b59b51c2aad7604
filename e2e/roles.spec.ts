import type { APIRequestContext, Page } from "@playwright/test";
import superjson from "superjson";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import {
  expect,
  test,
  ADMIN_STATE,
  EMAIL_SKILL,
  startRunThroughApi,
  tenantHeaders,
} from "./support";

test.use({ storageState: ADMIN_STATE });

/** A tRPC call through the endpoint the UI uses, with the session of `request`. */
async function trpc<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<{ status: number; data: T }> {
  const headers = await tenantHeaders(request);
  const response =
    kind === "query"
      ? await request.get(
          `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
          { headers },
        )
      : await request.post(`/api/trpc/${path}`, {
          data: superjson.serialize(input),
          headers: { ...headers, "content-type": "application/json" },
        });
  const body = (await response.json()) as { result?: { data: { json: T } } };
  return { status: response.status(), data: body.result?.data.json as T };
}

/**
 * Opens an invitation link in a browser without a session, creates the account with a password
 * of the invitee's choosing and lands in the console. The session is made on the server, so
 * this is not one of the email sign-ins the auth rate limit counts.
 */
async function acceptAsNewAccount(page: Page, link: string, name: string, password: string) {
  await page.goto(link);
  const form = page.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill(name);
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("an admin invites a member, who sets their own password from the link and lands in the console; the admin re-roles and removes them", async ({
  page,
  browser,
  browserConsole,
}) => {
  const email = `${uniqueScriptKey("member")}@acme.test`.toLowerCase();
  await page.goto("/settings");
  const members = page.getByRole("table", { name: "Members" });
  const me = members.locator(`tr[data-member-email="${DEMO_ADMIN.email}"]`);
  await expect(me).toContainText("you");
  await expect(me).toContainText("owner");

  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toHaveAccessibleName("Invite a member");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption("operator");
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  // The link, shown once, with how it travels and how long it works.
  await expect(dialog).toHaveAccessibleName(`Invitation for ${email}`);
  await expect(dialog).toContainText("Skillrun sends no email");
  await expect(dialog).toContainText("expires in 7 days");
  const link = await dialog.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/invite\/[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();
  const pending = page.getByRole("table", { name: "Pending invitations" });
  await expect(pending.locator(`tr[data-invitation-email="${email}"]`)).toContainText("operator");
  await expect(members.locator(`tr[data-member-email="${email}"]`)).toHaveCount(0);

  // The admin's own session is not the invited account: the page refuses and joins nobody.
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Join Acme Operations", level: 1 })).toBeVisible();
  await expect(page.getByRole("main").getByRole("alert")).toContainText(
    `You are signed in as ${DEMO_ADMIN.email}`,
  );
  await expect(page.getByRole("button", { name: "Accept" })).toHaveCount(0);

  // The invitee, in a browser of their own: the passwords must match, then they are in.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const invitee = await context.newPage();
  await invitee.goto(link);
  await expect(
    invitee.getByRole("heading", { name: "Join Acme Operations", level: 1 }),
  ).toBeVisible();
  await expect(invitee.getByRole("main")).toContainText(
    "You are invited to Acme Operations as an operator",
  );
  const form = invitee.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill("Olive Operator");
  await form.getByLabel("Password", { exact: true }).fill("olive-own-password");
  await form.getByLabel("Repeat the password").fill("olive-other-password");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(form.getByRole("alert")).toContainText("The two passwords differ.");
  await form.getByLabel("Repeat the password").fill("olive-own-password");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee).toHaveURL(/\/skills$/);
  await expect(invitee.getByRole("button", { name: "Tenant: Acme Operations" })).toBeVisible();
  const viewer = await trpc<{ activeTenant: { role: string } | null }>(
    invitee.request,
    "viewer.get",
    undefined,
    "query",
  );
  expect(viewer.data.activeTenant?.role).toBe("operator");
  // The link works once.
  await invitee.goto(link);
  await expect(
    invitee.getByRole("heading", { name: "This invitation is not valid", level: 1 }),
  ).toBeVisible();
  await context.close();

  await page.goto("/settings");
  const row = members.locator(`tr[data-member-email="${email}"]`);
  await expect(row).toContainText("Olive Operator");
  await expect(pending.locator(`tr[data-invitation-email="${email}"]`)).toHaveCount(0);
  const role = row.getByLabel(`Role of ${email}`);
  await expect(role).toHaveValue("operator");

  // Choosing a role changes nothing until it is saved.
  await role.selectOption("viewer");
  await row.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByText(`${email} is now a viewer`)).toBeVisible();
  await expect(row.getByRole("button", { name: "Save role" })).toHaveCount(0);
  await page.reload();
  await expect(
    members.locator(`tr[data-member-email="${email}"]`).getByLabel(`Role of ${email}`),
  ).toHaveValue("viewer");

  // Inviting a member again is refused with a reason.
  browserConsole.expectRefused("/api/trpc/members.invite", 409);
  await page.getByRole("button", { name: "Invite member" }).click();
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  await expect(dialog.getByRole("alert")).toContainText(
    `${email} is already a member of this tenant.`,
  );
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Removing asks first.
  await members
    .locator(`tr[data-member-email="${email}"]`)
    .getByRole("button", { name: `Remove ${email}` })
    .click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove member" }).click();
  await expect(members.locator(`tr[data-member-email="${email}"]`)).toHaveCount(0);
});

test("a pending invitation can be revoked, after a confirmation, and its link stops working", async ({
  page,
}) => {
  const email = `${uniqueScriptKey("revoked")}@acme.test`.toLowerCase();
  const invitation = await trpc<{ path: string }>(page.request, "members.invite", {
    email,
    role: "viewer",
  });
  expect(invitation.status).toBe(200);
  await page.goto("/settings");
  const row = page
    .getByRole("table", { name: "Pending invitations" })
    .locator(`tr[data-invitation-email="${email}"]`);
  await row.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText(`Revoke the invitation for ${email}?`);
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: `Revoke the invitation for ${email}` }).focus();
  await page.keyboard.press("Enter");
  await confirm.getByRole("button", { name: "Revoke invitation" }).click();
  await expect(page.getByText(`Invitation for ${email} revoked`)).toBeVisible();
  await expect(row).toHaveCount(0);
  await page.goto(invitation.data.path);
  await expect(
    page.getByRole("heading", { name: "This invitation is not valid", level: 1 }),
  ).toBeVisible();
});

test("a viewer sees no Run now, cannot create or edit schedules, and Settings says it needs the admin role", async ({
  page,
  browser,
}) => {
  // The admin prepares a viewer, a finished run and a schedule to look at.
  const key = uniqueScriptKey("viewer");
  const viewer = { email: `${key}@acme.test`.toLowerCase(), password: "viewer-own-password" };
  const invitation = await trpc<{ path: string }>(page.request, "members.invite", {
    email: viewer.email,
    role: "viewer",
  });
  expect(invitation.status).toBe(200);
  await scriptModel(key, [{ text: "# Done for the viewer" }]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Please look ${scriptMarker(key)}` },
  });
  const skill = await trpc<{ id: string }>(
    page.request,
    "skills.get",
    { slug: EMAIL_SKILL.slug },
    "query",
  );
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

  // The viewer joins through the invitation link (no email sign-in for the auth rate limit to count).
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await acceptAsNewAccount(viewerPage, invitation.data.path, "Vera Viewer", viewer.password);

  // Skill catalog and skill detail.
  await expect(
    viewerPage.getByRole("list", { name: "Skills" }).getByRole("listitem").first(),
  ).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /^Run .* now$/ })).toHaveCount(0);
  await viewerPage.goto(`/skills/${EMAIL_SKILL.slug}`);
  await expect(viewerPage.getByRole("heading", { name: EMAIL_SKILL.name, level: 1 })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Run now" })).toHaveCount(0);
  await expect(viewerPage.getByRole("link", { name: "Schedule this skill" })).toHaveCount(0);

  // Run detail: the run is readable, nothing can be started from it.
  await viewerPage.goto(`/runs/${runId}`);
  await expect(viewerPage.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });
  for (const name of ["Re-run", "Re-run with changes", "Cancel"])
    await expect(viewerPage.getByRole("button", { name, exact: true })).toHaveCount(0);

  // Command palette: pages and skills to open, none to run.
  await viewerPage.keyboard.press("Control+k");
  const palette = viewerPage.getByPlaceholder("Run a skill or go to a page…");
  await expect(palette).toBeFocused();
  await viewerPage.keyboard.type("customer email");
  await expect(
    viewerPage.getByRole("option", { name: `Skill: ${EMAIL_SKILL.name}` }),
  ).toBeVisible();
  await expect(viewerPage.getByRole("option", { name: `Run ${EMAIL_SKILL.name}` })).toHaveCount(0);
  await viewerPage.keyboard.press("Escape");

  // Schedules: readable, not changeable.
  await viewerPage.goto("/schedules");
  await expect(viewerPage.getByRole("table", { name: "Schedules" })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "New schedule" })).toHaveCount(0);
  await viewerPage.goto(`/schedules/${schedule.data.id}`);
  await expect(
    viewerPage.getByRole("heading", { name: `Viewer probe ${key.slice(-6)}`, level: 1 }),
  ).toBeVisible();
  for (const name of ["Run now", "Edit", "Delete"])
    await expect(
      viewerPage
        .getByRole("main")
        .getByRole(name === "Edit" ? "link" : "button", { name, exact: true }),
    ).toHaveCount(0);
  await viewerPage.goto("/schedules/new");
  await expect(viewerPage.getByTestId("needs-role")).toContainText(
    "Creating a schedule needs the admin role",
  );
  await expect(viewerPage.getByRole("form", { name: "New schedule" })).toHaveCount(0);
  await viewerPage.goto(`/schedules/${schedule.data.id}/edit`);
  await expect(viewerPage.getByTestId("needs-role")).toContainText(
    "Editing a schedule needs the admin role",
  );

  // Settings: the notice instead of API keys and members.
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByTestId("needs-role")).toContainText("Settings needs the admin role");
  await expect(viewerPage.getByTestId("needs-role")).toContainText(
    "You are a viewer in this tenant.",
  );
  await expect(viewerPage.getByRole("form", { name: "Create an API key" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: "Invite member" })).toHaveCount(0);

  // And the server refuses what the UI does not offer.
  expect(
    (
      await trpc(viewerPage.request, "runs.start", {
        skillSlug: EMAIL_SKILL.slug,
        inputs: { customerEmail: "Not allowed to run this" },
      })
    ).status,
  ).toBe(403);
  expect((await trpc(viewerPage.request, "members.list", undefined, "query")).status).toBe(403);
  expect(
    (
      await trpc(viewerPage.request, "members.invite", {
        email: `${key}-friend@acme.test`,
        role: "viewer",
      })
    ).status,
  ).toBe(403);
  expect(
    (await trpc(viewerPage.request, "schedules.delete", { scheduleId: schedule.data.id })).status,
  ).toBe(403);
  await context.close();
});
