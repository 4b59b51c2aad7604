import type { Page } from "@playwright/test";
import { FAKE_MCP_TOOLS, startFakeMcpServer } from "./fixtures/mcp-server";
import { uniqueScriptKey } from "./fixtures/model-script";
import { E2E_ENGINE_PORT } from "./shard";
import { expect, test, ADMIN_STATE } from "./support";
import { trpcMutation } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const TOKEN = "mcp-e2e-token-4c1d8b7e";

let fake: Awaited<ReturnType<typeof startFakeMcpServer>>;
test.beforeAll(async () => {
  // On this machine: the e2e app runs with SKILLRUN_ALLOW_LOCAL_MCP=1 (playwright.config.ts).
  fake = await startFakeMcpServer({ token: TOKEN });
});
test.afterAll(async () => {
  await fake.close();
});

const rowOf = (page: Page, name: string) =>
  page.getByRole("table", { name: "MCP servers" }).getByRole("row").filter({ hasText: name });

test("an admin adds an MCP server, sees its tools, and never sees the token again; the app's own engine and the metadata address are refused; a viewer only reads", async ({
  page,
  browser,
  browserConsole,
}) => {
  const name = `Tickets ${uniqueScriptKey("mcp").slice(-8)}`;
  await page.goto("/agents/mcp-servers");
  await expect(page.getByRole("heading", { name: "MCP servers", level: 1 })).toBeVisible();

  // Add, testing the connection before saving.
  await page.getByRole("button", { name: "Add MCP server" }).click();
  const form = page.getByRole("form", { name: "New MCP server" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("URL").fill(fake.url);
  await form.getByLabel("Auth token").fill(TOKEN);
  await form.getByRole("button", { name: "Test connection" }).click();
  const found = form.getByRole("status");
  await expect(found).toContainText(`Connected · ${FAKE_MCP_TOOLS.length} tools`);
  for (const tool of FAKE_MCP_TOOLS) await expect(found).toContainText(tool.description);
  await form.getByRole("button", { name: "Add MCP server" }).click();
  await expect(form).toHaveCount(0);
  const row = rowOf(page, name);
  await expect(row).toContainText("Set");
  expect(await page.content()).not.toContain(TOKEN);

  // Editing shows that a token is set, never the token.
  await row.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: "Edit MCP server" });
  await expect(edit.getByLabel("Auth token")).toHaveValue("");
  await expect(edit).toContainText("A token is set. It is never shown again");
  expect(await page.content()).not.toContain(TOKEN);
  await edit.getByRole("button", { name: "Cancel" }).click();

  // The saved server's test uses the saved token.
  await row.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Test connection" }).click();
  const tested = page.getByRole("dialog", { name: `Connection to “${name}”` });
  await expect(tested.getByRole("list", { name: "Tools the server offers" })).toContainText(
    FAKE_MCP_TOOLS[0].name,
  );
  expect(fake.authorizations.at(-1)).toBe(`Bearer ${TOKEN}`);
  await tested.getByRole("button", { name: "Close" }).first().click();

  // Skillrun's own services and the cloud metadata address are refused, with the reason.
  await page.getByRole("button", { name: "Add MCP server" }).click();
  await form.getByLabel("Name").fill(`Probe ${name}`);
  browserConsole.expectRefused("/api/trpc/mcpServers.create", 400);
  await form.getByLabel("URL").fill(`http://127.0.0.1:${E2E_ENGINE_PORT}/`);
  await form.getByRole("button", { name: "Add MCP server" }).click();
  await expect(form.getByRole("alert")).toContainText(
    `Port ${E2E_ENGINE_PORT} on 127.0.0.1 is Skillrun's own Inngest engine`,
  );
  await form.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data");
  await form.getByRole("button", { name: "Add MCP server" }).click();
  await expect(form.getByRole("alert")).toContainText("link-local address");
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(rowOf(page, `Probe ${name}`)).toHaveCount(0);

  // A viewer sees the servers, and nothing to change them with.
  const viewerEmail = `${uniqueScriptKey("mcp-viewer")}@acme.test`.toLowerCase();
  const invitation = await trpcMutation(page.request, "members.invite", {
    email: viewerEmail,
    role: "viewer",
  });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await viewerPage.goto(invitation.path);
  const join = viewerPage.getByRole("form", { name: "Create your account" });
  await join.getByLabel("Your name").fill("Vic Viewer");
  await join.getByLabel("Password", { exact: true }).fill("viewer-own-password");
  await join.getByLabel("Repeat the password").fill("viewer-own-password");
  await join.getByRole("button", { name: "Create account and join" }).click();
  await expect(viewerPage).toHaveURL(/\/skills$/);
  await viewerPage.goto("/agents/mcp-servers");
  const viewerRow = rowOf(viewerPage, name);
  await expect(viewerRow).toContainText(new URL(fake.url).origin);
  await expect(viewerRow).not.toContainText("/mcp");
  await expect(viewerPage.getByText("an admin can add or change them")).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Add MCP server" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: /^Actions for / })).toHaveCount(0);
  await context.close();

  // Deleting asks first, saying which agents would lose it.
  await row.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("No agent uses it.");
  await confirm.getByRole("button", { name: "Delete MCP server" }).click();
  await expect(row).toHaveCount(0);
});
