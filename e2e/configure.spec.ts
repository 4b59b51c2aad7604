import type { Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { SCHEMA, typeInto } from "./skill-editor";
import { ADMIN_STATE, definitionOf, expect, test } from "./support";
import { trpcMutation } from "./trpc";

test.use({ storageState: ADMIN_STATE });

/** The short version hash the skill page shows ("version 0123456789ab"). */
async function shownVersion(page: Page): Promise<string> {
  const line = page.locator("span", { hasText: /^version [0-9a-f]{12}$/ });
  await expect(line).toBeVisible();
  return (await line.locator("code").textContent()) ?? "";
}

test("an admin configures a skill end to end: writes it, gives it a guardrail, template and agent, runs it, changes it, and round-trips it through a zip", async ({
  page,
}, testInfo) => {
  // One story through seven pages, a run and a zip round trip.
  test.setTimeout(120_000);
  const key = uniqueScriptKey("configure");
  const suffix = key.slice(-8);
  const skillName = `Shift handover ${suffix}`;
  const slug = `shift-handover-${suffix}`.toLowerCase();
  const guardrailName = `Handover guard ${suffix}`;
  const templateName = `Handover writer ${suffix}`;
  const agentName = `Handover desk ${suffix}`;

  // 1. The skill, with a date and an enum input the Run now form preview shows.
  await page.goto("/skills/new");
  await page.getByLabel("Name").fill(skillName);
  await page.getByLabel("Slug").fill(slug);
  await page.getByLabel("Description").fill("Writes the shift handover for a day.");
  await typeInto(page, "Instructions", "# Shift handover\n\nWrite the handover for {{day}}.");
  await typeInto(page, "Inputs schema", SCHEMA);
  const formPreview = page.getByRole("region", { name: "Run now form preview" });
  await expect(formPreview.getByLabel("Day")).toHaveAttribute("type", "date");
  await expect(formPreview.getByLabel("Tone")).toContainText("brief");
  await expect(formPreview.getByLabel("Tone")).toContainText("detailed");
  await page.getByRole("button", { name: "Create skill" }).click();
  await expect(page).toHaveURL(new RegExp(`/skills/${slug}$`));
  await expect(page.getByRole("heading", { name: skillName, level: 1 })).toBeVisible();

  // 2. A guardrail, a template that uses it, and an agent with that template and the skill.
  await page.goto("/agents/guardrails/new");
  const guardrailForm = page.getByRole("form", { name: "New guardrail" });
  await guardrailForm.getByLabel("Name", { exact: true }).fill(guardrailName);
  await guardrailForm.getByLabel("Denied terms").fill("internal only");
  await guardrailForm.getByRole("button", { name: "Create guardrail" }).click();
  await expect(page).toHaveURL(/\/agents\/guardrails\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: guardrailName, level: 1 })).toBeVisible();

  await page.goto("/agents/templates/new");
  const templateForm = page.getByRole("form", { name: "New template" });
  await templateForm.getByLabel("Name", { exact: true }).fill(templateName);
  await templateForm.getByLabel("System prompt").fill("You write handovers plainly.");
  await templateForm
    .getByLabel("Guardrail", { exact: true })
    .selectOption({ label: guardrailName });
  await templateForm.getByRole("button", { name: "Create template" }).click();
  await expect(page).toHaveURL(/\/agents\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: templateName, level: 1 })).toBeVisible();

  await page.goto("/agents/new");
  const agentForm = page.getByRole("form", { name: "New agent" });
  await agentForm.getByLabel("Name", { exact: true }).fill(agentName);
  await agentForm.getByLabel("Description", { exact: true }).fill("Shift handovers.");
  await agentForm.getByLabel("Template", { exact: true }).selectOption({ label: templateName });
  await agentForm.getByRole("group", { name: "Skills" }).getByLabel(skillName).check();
  await agentForm.getByRole("button", { name: "Create agent" }).click();
  await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: agentName, level: 1 })).toBeVisible();
  await expect(definitionOf(page, "Template")).toHaveText(templateName);
  await expect(definitionOf(page, "Skills")).toHaveText(skillName);

  // 3. Run now with the new agent, the skill's only one, against the scripted model.
  await scriptModel(key, [{ text: "# Handover\n\nNothing open overnight." }]);
  await page.goto(`/skills/${slug}`);
  await page.getByRole("button", { name: "Run now" }).click();
  const runNow = page.getByRole("dialog");
  await expect(runNow).toContainText(`${agentName} is the agent this skill is assigned to.`);
  await runNow.getByLabel("Day").fill("2026-12-01");
  await runNow.getByLabel("Tone").selectOption("brief");
  await runNow.getByLabel("Notes").fill(scriptMarker(key));
  await runNow.getByRole("button", { name: "Run now" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runUrl = page.url();
  await expect(page.getByTestId("deliverable")).toContainText("Nothing open overnight", {
    timeout: 20_000,
  });

  // 4. A new version of the skill: re-running the old run says so before anything is submitted.
  await page.goto(`/skills/${slug}/edit`);
  await typeInto(page, "Instructions", "# Shift handover\n\nWrite a short handover for {{day}}.");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(page).toHaveURL(new RegExp(`/skills/${slug}$`));
  await expect(page.getByRole("list", { name: "Versions" }).getByRole("listitem")).toHaveCount(2);

  await page.goto(runUrl);
  await page.getByRole("button", { name: "Re-run with changes" }).click();
  const rerun = page.getByRole("dialog");
  await expect(rerun.getByText("The skill changed since this run")).toBeVisible();
  await expect(rerun.getByLabel("Tone")).toHaveValue("brief");
  await rerun.getByRole("button", { name: "Cancel" }).click();
  await expect(rerun).toBeHidden();
  await page.getByRole("button", { name: "Re-run", exact: true }).click();
  const confirmRerun = page.getByRole("alertdialog");
  await expect(confirmRerun).toContainText("The skill changed since this run");
  await confirmRerun.getByRole("button", { name: "Cancel" }).click();
  await expect(confirmRerun).toBeHidden();
  await expect(page).toHaveURL(runUrl);

  // 5. Export, delete, import: the same version as before the delete.
  await page.goto(`/skills/${slug}`);
  const hashBeforeDelete = await shownVersion(page);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export" }).click();
  expect((await download).suggestedFilename()).toBe(`${slug}.zip`);
  const zipPath = testInfo.outputPath(`${slug}.zip`);
  await (await download).saveAs(zipPath);

  await page.getByRole("button", { name: "Delete" }).click();
  const confirmDelete = page.getByRole("alertdialog");
  await expect(confirmDelete).toContainText(`Delete ${skillName}?`);
  await confirmDelete.getByRole("button", { name: "Delete skill" }).click();
  await expect(page).toHaveURL(/\/skills$/);
  await expect(page.getByRole("list", { name: "Skills" })).not.toContainText(skillName);

  await page.getByRole("button", { name: "Import skill" }).click();
  const importDialog = page.getByRole("dialog", { name: "Import skill" });
  await importDialog.getByLabel("Skill zip").setInputFiles(zipPath);
  const importPreview = importDialog.getByRole("region", { name: "Import preview" });
  await expect(importPreview).toContainText(slug);
  await expect(importPreview.getByTestId("import-version-hash")).toHaveText(hashBeforeDelete);
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  await expect(importDialog).toBeHidden();
  await expect(page.getByText(`Imported ${slug} (version ${hashBeforeDelete}).`)).toBeVisible();
  await page.goto(`/skills/${slug}`);
  await expect(page.getByRole("heading", { name: skillName, level: 1 })).toBeVisible();
  expect(await shownVersion(page)).toBe(hashBeforeDelete);

  // 6. The agent goes again (other specs count the seeded three), after a confirmation.
  await page.goto("/agents");
  await page
    .getByRole("table", { name: "Agents" })
    .getByRole("link", { name: agentName, exact: true })
    .click();
  await page.getByRole("button", { name: "Delete" }).click();
  const confirmAgentDelete = page.getByRole("alertdialog");
  await expect(confirmAgentDelete).toContainText(`Delete ${agentName}?`);
  await confirmAgentDelete.getByRole("button", { name: "Delete agent" }).click();
  await expect(page).toHaveURL(/\/agents$/);
  await expect(
    page.getByRole("table", { name: "Agents" }).getByRole("link", { name: agentName }),
  ).toHaveCount(0);
});

test("a viewer reads every configuration page and is offered nothing that changes it", async ({
  page,
  browser,
}) => {
  const email = `${uniqueScriptKey("configure-viewer")}@acme.test`.toLowerCase();
  const invitation = await trpcMutation(page.request, "members.invite", { email, role: "viewer" });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewer = await context.newPage();
  await viewer.goto(invitation.path);
  const join = viewer.getByRole("form", { name: "Create your account" });
  await join.getByLabel("Your name").fill("Vic Viewer");
  await join.getByLabel("Password", { exact: true }).fill("viewer-own-password");
  await join.getByLabel("Repeat the password").fill("viewer-own-password");
  await join.getByRole("button", { name: "Create account and join" }).click();
  await expect(viewer).toHaveURL(/\/skills$/);

  // Skills.
  await expect(viewer.getByRole("link", { name: "New skill" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Import skill" })).toHaveCount(0);
  await viewer.goto("/skills/release-notes");
  await expect(viewer.getByRole("heading", { name: "Release notes", level: 1 })).toBeVisible();
  for (const control of ["Run now", "Duplicate", "Delete", "Disable"])
    await expect(viewer.getByRole("button", { name: control })).toHaveCount(0);
  await viewer.goto("/skills/new");
  await expect(viewer.getByText("Only admins can write skills")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Create skill" })).toHaveCount(0);

  // Agents.
  await viewer.goto("/agents");
  const agents = viewer.getByRole("table", { name: "Agents" });
  await expect(agents.getByRole("link", { name: "Ops Assistant", exact: true })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New agent" })).toHaveCount(0);
  await agents.getByRole("link", { name: "Ops Assistant", exact: true }).click();
  await expect(viewer.getByRole("heading", { name: "Ops Assistant", level: 1 })).toBeVisible();
  await expect(viewer.getByRole("heading", { name: "Effective runtime config" })).toBeVisible();
  await expect(viewer.getByRole("form")).toHaveCount(0);
  for (const control of ["Save agent", "Make default", "Duplicate", "Delete"])
    await expect(viewer.getByRole("button", { name: control })).toHaveCount(0);

  // Templates and guardrails.
  await viewer.goto("/agents/templates");
  await expect(viewer.getByRole("link", { name: "New template" })).toHaveCount(0);
  await viewer.getByRole("link", { name: "Customer-facing writer", exact: true }).click();
  await expect(viewer.getByText("You can view this template")).toBeVisible();
  await expect(viewer.getByLabel("System prompt")).toBeDisabled();
  for (const control of ["Save template", "Delete", "Duplicate"])
    await expect(viewer.getByRole("button", { name: control })).toHaveCount(0);

  await viewer.goto("/agents/guardrails");
  await expect(viewer.getByRole("link", { name: "New guardrail" })).toHaveCount(0);
  await viewer.getByRole("link", { name: "Standard", exact: true }).click();
  await expect(viewer.getByText("You can view this guardrail")).toBeVisible();
  await expect(viewer.getByLabel("Denied patterns")).toBeDisabled();
  for (const control of ["Save guardrail", "Delete", "Duplicate"])
    await expect(viewer.getByRole("button", { name: control })).toHaveCount(0);

  // MCP servers and knowledge bases.
  await viewer.goto("/agents/mcp-servers");
  await expect(viewer.getByText("an admin can add or change them")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Add MCP server" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /^Actions for / })).toHaveCount(0);

  await viewer.goto("/agents/knowledge");
  await expect(viewer.getByRole("heading", { name: "Knowledge bases", level: 1 })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "New knowledge base" })).toHaveCount(0);
  await viewer.getByRole("link", { name: "Acme handbook", exact: true }).click();
  await expect(viewer.getByRole("heading", { name: "Acme handbook", level: 1 })).toBeVisible();
  await expect(viewer.getByRole("table", { name: "Documents" })).toBeVisible();
  for (const control of ["Edit", "Delete", "Choose files"])
    await expect(viewer.getByRole("button", { name: control, exact: true })).toHaveCount(0);
  await context.close();
});
