import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { ADMIN_STATE, definitionOf, expect, test } from "./support";

test.use({ storageState: ADMIN_STATE });

test("the agents page lists each agent's model and state; an agent's page previews the config its runs would use", async ({
  page,
}) => {
  await page.goto("/skills");
  await page.getByRole("navigation").getByRole("link", { name: "Agents" }).click();
  await expect(page).toHaveURL(/\/agents$/);
  const agents = page.getByRole("table", { name: "Agents" });
  const rows = agents.getByRole("row").filter({ has: page.getByRole("link") });
  await expect(rows).toHaveCount(3);
  for (const name of ["Ops Assistant", "Release Captain", "Support Writer"]) {
    const row = rows.filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(row).toContainText("openai-compatible:scripted");
    await expect(row).toContainText("Configured");
  }
  await expect(
    rows.filter({ hasText: "Ops Assistant" }).getByText("Default", { exact: true }),
  ).toBeVisible();
  await expect(rows.getByText("Default", { exact: true })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Support Writer" })).toContainText("Customer-facing writer");
  // Every agent can run, so no page warns about the model.
  await expect(page.getByText("No agent of this tenant has a configured model")).toHaveCount(0);

  await agents.getByRole("link", { name: "Support Writer", exact: true }).click();
  await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Support Writer", level: 1 })).toBeVisible();
  await expect(page.getByText("Drafts customer replies.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Effective runtime config" })).toBeVisible();
  await expect(definitionOf(page, "Model")).toHaveText(
    "openai-compatible:scripted (from the deployment default)",
  );
  await expect(definitionOf(page, "Template")).toHaveText("Customer-facing writer");
  await expect(definitionOf(page, "Skills")).toHaveText("Customer email reply");
  await expect(definitionOf(page, "Built-in tools")).toContainText("current_time");
  await expect(definitionOf(page, "Built-in tools")).not.toContainText("read_skill_reference");
  await expect(definitionOf(page, "Blocked tools")).toHaveText("read_skill_reference");
  await expect(definitionOf(page, "Knowledge bases")).toHaveText("Acme handbook");
  await expect(definitionOf(page, "Guardrail")).toHaveText("Standard (template)");
  await expect(definitionOf(page, "Limits")).toHaveText("6 steps · 180 s");
  await expect(definitionOf(page, "Acts as")).toHaveText(
    `${DEMO_ADMIN.name} <${DEMO_ADMIN.email}> (invoker)`,
  );
  await expect(definitionOf(page, "System prompt")).toContainText(
    "You write on behalf of Acme to customers and partners.",
  );

  // Another agent resolves to its own template, limits and guardrail.
  await page.goBack();
  await agents.getByRole("link", { name: "Ops Assistant", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Ops Assistant", level: 1 })).toBeVisible();
  await expect(definitionOf(page, "Template")).toHaveText("Operations analyst");
  await expect(definitionOf(page, "Blocked tools")).toHaveText("none");
  await expect(definitionOf(page, "Built-in tools")).toContainText("read_skill_reference");
  await expect(definitionOf(page, "Guardrail")).toHaveText("Standard (tenant default)");
  await expect(definitionOf(page, "Limits")).toHaveText("8 steps · 300 s");
  await expect(definitionOf(page, "System prompt")).toContainText(
    "You are an operations analyst at Acme.",
  );
});
