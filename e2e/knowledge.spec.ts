import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, expect, tenantHeaders, test } from "./support";
import { trpcMutation } from "./trpc";

test.use({ storageState: ADMIN_STATE });

/** A one-page PDF with selectable text ("Economy class for flights under six hours."). */
const TRAVEL_POLICY_PDF = {
  name: "travel-policy.pdf",
  mimeType: "application/pdf",
  buffer: readFileSync("e2e/fixtures/travel-policy.pdf"),
};

async function acceptAsNewAccount(page: Page, link: string, name: string, password: string) {
  await page.goto(link);
  const form = page.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill(name);
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("an admin creates a knowledge base, uploads Markdown and PDF, searches it as the agent would, and deletes a document; an oversized file is refused by name", async ({
  page,
}) => {
  const name = `Handbook ${uniqueScriptKey("kb").slice(-8)}`;
  await page.goto("/agents/knowledge");
  await page.getByRole("button", { name: "New knowledge base" }).click();
  const dialog = page.getByRole("dialog", { name: "New knowledge base" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Description").fill("Company policies");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/agents\/knowledge\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("No documents yet")).toBeVisible();

  const files = page.getByLabel("Document files");
  await files.setInputFiles([
    {
      name: "onboarding.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Onboarding guide\n\nNew hires get a laptop on their first day."),
    },
    TRAVEL_POLICY_PDF,
  ]);
  await expect(
    page.getByRole("list", { name: "Files to upload" }).getByRole("listitem"),
  ).toHaveCount(2);
  await page.getByRole("button", { name: "Upload 2 files" }).click();
  await expect(page.getByText("Uploaded 2 documents")).toBeVisible();
  const documents = page.getByRole("table", { name: "Documents" });
  await expect(documents.getByRole("row")).toHaveCount(3);
  await expect(documents).toContainText("Onboarding guide");
  await expect(documents).toContainText("travel-policy");

  // The search answers what the agent's tool would: the PDF's text, with the match marked.
  await page.getByLabel("Search query").fill("flights");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const results = page.getByRole("list", { name: "Search results" }).getByRole("listitem");
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText("travel-policy");
  await expect(results.first().locator("mark")).toHaveText("flights");

  await documents.getByRole("button", { name: "Delete Onboarding guide" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete document" }).click();
  await expect(page.getByText("Deleted Onboarding guide")).toBeVisible();
  await expect(documents.getByRole("row")).toHaveCount(2);

  await files.setInputFiles({
    name: "huge.txt",
    mimeType: "text/plain",
    buffer: Buffer.alloc(2 * 1024 * 1024 + 1, "a"),
  });
  await expect(page.getByRole("alert").filter({ hasText: "cannot be uploaded" })).toContainText(
    "huge.txt: 2.1 MB is over the 2 MB limit per file.",
  );
  await expect(page.getByRole("button", { name: "Upload", exact: true })).toBeDisabled();

  await page.goto("/agents/knowledge");
  const row = page.getByRole("table", { name: "Knowledge bases" }).getByRole("row", { name });
  await expect(row).toContainText("1 document");
});

test("a viewer reads and searches a knowledge base but cannot change it", async ({
  page,
  browser,
}) => {
  const key = uniqueScriptKey("kb-viewer");
  const name = `Viewer handbook ${key.slice(-8)}`;
  const knowledgeBase = await trpcMutation(page.request, "knowledgeBases.create", {
    name,
    description: "",
  });
  const uploaded = await page.request.post("/api/trpc/knowledgeBases.upload", {
    multipart: {
      knowledgeBaseId: knowledgeBase.id,
      files: {
        name: "parking.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Parking\n\nParking is free on weekends."),
      },
    },
    headers: await tenantHeaders(page.request),
  });
  expect(uploaded.status(), await uploaded.text()).toBe(200);
  const email = `${key}@acme.test`.toLowerCase();
  const invitation = await trpcMutation(page.request, "members.invite", { email, role: "viewer" });

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await acceptAsNewAccount(viewerPage, invitation.path, "Vic Viewer", "viewer-own-password");
  await viewerPage.goto("/agents/knowledge");
  await expect(
    viewerPage.getByRole("heading", { name: "Knowledge bases", level: 1 }),
  ).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "New knowledge base" })).toHaveCount(0);
  await viewerPage.getByRole("link", { name }).click();
  await expect(viewerPage.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(viewerPage.getByRole("table", { name: "Documents" })).toContainText("Parking");
  for (const control of ["Edit", "Delete", "Choose files", "Delete Parking"])
    await expect(viewerPage.getByRole("button", { name: control, exact: true })).toHaveCount(0);
  await viewerPage.getByLabel("Search query").fill("weekends");
  await viewerPage.getByRole("button", { name: "Search", exact: true }).click();
  await expect(
    viewerPage.getByRole("list", { name: "Search results" }).getByRole("listitem"),
  ).toContainText("Parking");
  await context.close();
});
