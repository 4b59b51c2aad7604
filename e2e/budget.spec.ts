import type { Page } from "@playwright/test";
import { SECOND_TENANT_OWNER } from "@/server/db/demo-accounts";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

// Globex, whose owner this spec signs in as: the budget it sets refuses every start of the
// tenant, so it stays out of Acme, which the other specs use (and is reset at the end).
async function signInAsGlobexOwner(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(SECOND_TENANT_OWNER.email);
  await page.getByLabel("Password").fill(SECOND_TENANT_OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

test("a schedule shows its monthly projection, and a budget's hard limit refuses the next Run now", async ({
  page,
  browserConsole,
}) => {
  await signInAsGlobexOwner(page);
  const { request } = page;

  // One complete run of the skill gives the estimate its tokens.
  const key = uniqueScriptKey("budget");
  await scriptModel(key, [
    {
      text: "# Reply\n\nYour order ships on Monday.",
      usage: { promptTokens: 40_000, completionTokens: 10_000 },
    },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerName: "Dana", customerEmail: `Where is my order? ${scriptMarker(key)}` },
  });
  await expect
    .poll(async () => (await trpcQuery(request, "runs.get", { runId })).status, {
      timeout: 20_000,
    })
    .toBe("complete");

  // An agent on a priced model: 40,000 + 10,000 tokens at gpt-4.1-mini are $0.032 a run.
  const [template] = await trpcQuery(request, "templates.list", undefined);
  const agentName = `Priced ${key.slice(-8)}`;
  const agent = await trpcMutation(request, "agents.create", {
    name: agentName,
    description: "",
    templateId: template?.id ?? "",
    modelOverride: "openai:gpt-4.1-mini",
    skillIds: [],
    mcpServerIds: [],
    knowledgeBaseIds: [],
    pairedUserId: null,
  });

  try {
    await page.goto("/schedules/new");
    const form = page.getByRole("form", { name: "New schedule" });
    await form.getByLabel("Skill").selectOption({ label: EMAIL_SKILL.name });
    await form.getByLabel("Agent").selectOption(agent.id);
    await form.getByLabel("Cron expression (5 fields)").fill("0 9 * * *");
    // Daily at 09:00: 28 to 31 fires in the coming month.
    await expect(page.getByTestId("cost-projection")).toHaveText(
      /^Monthly projection ≈ \$0\.(8|9)\d\d: (28|29|30|31) runs in the coming month × \$0\.032 a run \(from the last 1 completed run\)\.$/,
    );

    await page.goto("/settings");
    const budget = page.getByRole("form", { name: "Monthly budget" });
    await budget.getByLabel("Hard limit (USD)").fill("0");
    await budget.getByRole("button", { name: "Save budget" }).click();
    await expect(page.getByTestId("budget-banner")).toContainText(
      "The monthly budget is used up: new runs are refused",
    );

    await page.goto("/skills");
    await page.getByRole("button", { name: `Run ${EMAIL_SKILL.name} now` }).click();
    const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
    // Globex's own agent runs the scripted model, which has no price: no figure, and why.
    await expect(dialog.getByTestId("cost-estimate")).toHaveText(
      "No cost estimate: openai-compatible:scripted has no price in this deployment's price table.",
    );
    await dialog.getByLabel("Customer's email").fill("Where is my order?");
    await dialog.getByLabel("Customer name").fill("Dana");
    browserConsole.expectRefused("/api/trpc/runs.start", 412);
    await dialog.getByRole("button", { name: "Run now" }).click();
    await expect(dialog.getByRole("alert")).toContainText(
      /This tenant's monthly budget is used up: \$0 of its \$0 hard limit .* New runs start again on 1 /,
    );
    await expect(page).toHaveURL(/\/skills$/);
  } finally {
    await trpcMutation(request, "budgets.update", {
      softLimitUsd: null,
      hardLimitUsd: null,
      timezone: "UTC",
    });
    await trpcMutation(request, "agents.delete", { agentId: agent.id });
  }
});
