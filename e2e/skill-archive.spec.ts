import type { Page } from "@playwright/test";
import { strToU8, zipSync } from "fflate";
import superjson from "superjson";
import { uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, expect, tenantHeaders, test } from "./support";

test.use({ storageState: ADMIN_STATE });

const BUILT_IN = { slug: "incident-postmortem", name: "Incident postmortem draft" };

async function exportFrom(page: Page, slug: string) {
  await page.goto(`/skills/${slug}`);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export" }).click();
  return download;
}

test("an admin exports a built-in skill and imports the zip as a new tenant skill with the hash the preview showed", async ({
  page,
}, testInfo) => {
  const download = await exportFrom(page, BUILT_IN.slug);
  expect(download.suggestedFilename()).toBe(`${BUILT_IN.slug}.zip`);
  const zipPath = testInfo.outputPath(`${BUILT_IN.slug}.zip`);
  await download.saveAs(zipPath);

  const slug = `postmortem-${uniqueScriptKey("zip").slice(-8).toLowerCase()}`;
  await page.goto("/skills");
  await page.getByRole("button", { name: "Import skill" }).click();
  const dialog = page.getByRole("dialog", { name: "Import skill" });
  await dialog.getByLabel("Skill zip").setInputFiles(zipPath);
  const preview = dialog.getByRole("region", { name: "Import preview" });
  // The folder's slug is a built-in's: the preview says a tenant skill would stand in for it.
  await expect(preview).toContainText("A built-in skill has the slug incident-postmortem");
  await dialog.getByLabel("Slug").fill(slug);
  await expect(preview).toContainText(slug);
  await expect(preview).toContainText("references/postmortem-template.md");
  const hash = (await preview.getByTestId("import-version-hash").textContent()) ?? "";
  expect(hash).toMatch(/^[0-9a-f]{12}$/);
  await dialog.getByRole("button", { name: "Import", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Imported ${slug} (version ${hash}).`)).toBeVisible();

  await page.goto(`/skills/${slug}`);
  await expect(page.getByRole("heading", { name: BUILT_IN.name, level: 1 })).toBeVisible();
  await expect(page.getByText(`version ${hash}`)).toBeVisible();

  // The same zip again over the new skill: nothing would change, so there is nothing to import.
  await page.goto("/skills");
  await page.getByRole("button", { name: "Import skill" }).click();
  await dialog.getByLabel("Skill zip").setInputFiles(zipPath);
  await dialog.getByLabel("Slug").fill(slug);
  await expect(preview).toContainText("already is this version");
  await expect(dialog.getByRole("button", { name: "Replace" })).toBeDisabled();
});

test("a bad zip is refused with a clear error, before anything is saved", async ({
  page,
  browserConsole,
}) => {
  browserConsole.expectRefused("/api/trpc/skillArchives.previewImport", 400);
  await page.goto("/skills");
  await page.getByRole("button", { name: "Import skill" }).click();
  const dialog = page.getByRole("dialog", { name: "Import skill" });
  const picker = dialog.getByLabel("Skill zip");

  await picker.setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("hi"),
  });
  await expect(dialog.getByRole("alert")).toHaveText("notes.txt is not a .zip file.");

  const withScript = zipSync({
    "evil/SKILL.md": strToU8(
      "---\nname: Evil\ndescription: Evil.\ninputs: { type: object, properties: {} }\n---\n\nDo.\n",
    ),
    "evil/scripts/run.sh": strToU8("rm -rf /"),
  });
  await picker.setInputFiles({
    name: "evil.zip",
    mimeType: "application/zip",
    buffer: Buffer.from(withScript),
  });
  await expect(dialog.getByRole("alert")).toContainText(
    "evil/scripts/run.sh: is not part of a skill (only SKILL.md and references/*.md are)",
  );
  await expect(dialog.getByRole("button", { name: "Import", exact: true })).toBeDisabled();

  const noName = zipSync({
    "nameless/SKILL.md": strToU8(
      "---\ndescription: No name.\ninputs: { type: object, properties: {} }\n---\n\nDo.\n",
    ),
  });
  await picker.setInputFiles({
    name: "nameless.zip",
    mimeType: "application/zip",
    buffer: Buffer.from(noName),
  });
  await expect(dialog.getByRole("alert")).toContainText("SKILL.md · frontmatter name: is required");
  await expect(dialog.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
});

test("a viewer can export a skill but is offered no import", async ({ page, browser }) => {
  const email = `${uniqueScriptKey("zip-viewer")}@acme.test`.toLowerCase();
  const response = await page.request.post("/api/trpc/members.invite", {
    data: superjson.serialize({ email, role: "viewer" }),
    headers: { "content-type": "application/json", ...(await tenantHeaders(page.request)) },
  });
  expect(response.status()).toBe(200);
  const { path } = ((await response.json()) as { result: { data: { json: { path: string } } } })
    .result.data.json;

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await context.newPage();
  await viewerPage.goto(path);
  const form = viewerPage.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill("Vic Viewer");
  await form.getByLabel("Password", { exact: true }).fill("viewer-own-password");
  await form.getByLabel("Repeat the password").fill("viewer-own-password");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(viewerPage).toHaveURL(/\/skills$/);

  await expect(viewerPage.getByRole("list", { name: "Skills" })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Import skill" })).toHaveCount(0);
  const download = await exportFrom(viewerPage, BUILT_IN.slug);
  expect(download.suggestedFilename()).toBe(`${BUILT_IN.slug}.zip`);
  await context.close();
});
