import type { APIRequestContext } from "@playwright/test";
import superjson from "superjson";
import { uniqueScriptKey } from "./fixtures/model-script";
import { SCHEMA, typeInto } from "./skill-editor";
import { expect, test, ADMIN_STATE, tenantHeaders } from "./support";

test.use({ storageState: ADMIN_STATE });

async function invite(request: APIRequestContext, email: string) {
  const response = await request.post("/api/trpc/members.invite", {
    data: superjson.serialize({ email, role: "viewer" }),
    headers: { ...(await tenantHeaders(request)), "content-type": "application/json" },
  });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { result: { data: { json: { path: string } } } };
  return body.result.data.json.path;
}

test("an admin writes a skill with a date and an enum input, sees the Run now form it makes, saves it, edits it into a new version and compares the two; bad input changes nothing", async ({
  page,
  browserConsole,
}) => {
  browserConsole.expectRefused("/api/trpc/skills.create", 400);
  browserConsole.expectRefused("/api/trpc/skills.create", 409);
  const key = uniqueScriptKey("authoring");
  const name = `Standup digest ${key.slice(-8)}`;
  const slug = `standup-digest-${key.slice(-8)}`;
  await page.goto("/skills");
  await page.getByRole("link", { name: "New skill" }).click();
  await expect(page).toHaveURL(/\/skills\/new$/);

  await page.getByLabel("Name").fill(name);
  await expect(page.getByLabel("Slug")).toHaveValue(slug);
  await page.getByLabel("Description").fill("Writes the standup digest for a day.");
  await typeInto(page, "Instructions", "# Standup digest\n\nWrite the digest for {{day}}.");
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await expect(page.getByRole("region", { name: "Instructions preview" })).toContainText(
    "Write the digest",
  );
  await page.getByRole("button", { name: "Write", exact: true }).click();

  // A typo in the schema is named with its JSON pointer, and saving it changes nothing.
  await typeInto(page, "Inputs schema", SCHEMA.replace('"format": "date"', '"format": "dat"'));
  await expect(page.locator("#inputs-schema-errors")).toContainText("/properties/day");
  await page.getByRole("button", { name: "Create skill" }).click();
  await expect(page).toHaveURL(/\/skills\/new$/);

  await typeInto(page, "Inputs schema", SCHEMA);
  const preview = page.getByRole("region", { name: "Run now form preview" });
  await expect(preview.getByLabel("Day")).toHaveAttribute("type", "date");
  await expect(preview.getByLabel("Tone")).toContainText("detailed");
  await expect(page.locator("#inputs-schema-errors")).toHaveCount(0);
  await expect(page.getByText(/Would save as version [0-9a-f]{12}/)).toBeVisible();
  await page.getByRole("button", { name: "Create skill" }).click();
  await expect(page).toHaveURL(new RegExp(`/skills/${slug}$`));
  await expect(page.getByText(/Saved version [0-9a-f]{12}/)).toBeVisible();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

  // The same slug again is refused with a clear error beside the slug.
  await page.goto("/skills/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Description").fill("A second one.");
  await typeInto(page, "Instructions", "Again.");
  await expect(page.locator("#skill-slug-errors")).toContainText("already the slug");
  await page.getByRole("button", { name: "Create skill" }).click();
  await expect(page).toHaveURL(/\/skills\/new$/);

  // A new version, then the two compared.
  await page.goto(`/skills/${slug}`);
  await page.getByRole("link", { name: "Edit" }).click();
  await typeInto(page, "Instructions", "# Standup digest\n\nWrite a short digest for {{day}}.");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/skills/${slug}$`));
  const versions = page.getByRole("list", { name: "Versions" });
  await expect(versions.getByRole("listitem")).toHaveCount(2);
  await expect(versions.getByRole("listitem").first()).toContainText("Current");
  for (const box of await versions.getByRole("checkbox").all()) await box.check();
  const diff = page.getByRole("region", { name: "Changes to SKILL.md" });
  await expect(diff).toContainText("Write a short digest");
  await expect(diff).toContainText("Write the digest");

  // A viewer reads the skill but gets no control that changes it.
  const email = `${key}@acme.test`.toLowerCase();
  const path = await invite(page.request, email);
  const context = await page
    .context()
    .browser()
    ?.newContext({ storageState: { cookies: [], origins: [] } });
  if (!context) throw new Error("no browser");
  const viewer = await context.newPage();
  await viewer.goto(path);
  const form = viewer.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill("Vic Viewer");
  await form.getByLabel("Password", { exact: true }).fill("viewer-own-password");
  await form.getByLabel("Repeat the password").fill("viewer-own-password");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(viewer).toHaveURL(/\/skills$/);
  await expect(viewer.getByRole("link", { name: "New skill" })).toHaveCount(0);
  await viewer.goto(`/skills/${slug}`);
  await expect(viewer.getByRole("heading", { name, level: 1 })).toBeVisible();
  for (const control of ["Edit", "Delete", "Disable", "Duplicate", "Run now"])
    await expect(viewer.getByRole("button", { name: control })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /^Roll back/ })).toHaveCount(0);
  await viewer.goto(`/skills/${slug}/edit`);
  await expect(viewer.getByText("Only admins can write skills")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Save new version" })).toHaveCount(0);
  await context.close();
});
