import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { EMAIL_SKILL, expect, test, ADMIN_STATE } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

test("search finds a run by a word only its deliverable holds, and marks it in the list", async ({
  page,
}) => {
  const script = uniqueScriptKey("search");
  // A made-up word nobody typed: it exists only in what the model wrote.
  const word = `quokka${script.slice(-8).replace(/[^a-z0-9]/gi, "")}`;
  await scriptModel(script, [{ text: `# Reply\n\nWe spoke with ${word} about the renewal.` }]);
  const { runId } = await trpcMutation(page.request, "runs.start", {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Where is my order? ${scriptMarker(script)}` },
  });
  await expect
    .poll(async () => (await trpcQuery(page.request, "runs.get", { runId })).status, {
      timeout: 20_000,
    })
    .toBe("complete");

  await page.goto("/runs");
  await page.getByRole("searchbox", { name: "Search runs" }).fill(word);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${word}`));
  const rows = page.locator("[data-run-id]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-run-id", runId);
  const hit = rows.first().getByTestId("search-hit");
  await expect(hit).toContainText("Deliverable:");
  await expect(hit.locator("mark")).toHaveText(word);

  // A search with no word is refused beside the box, and the list stays as it was.
  await page.getByRole("searchbox", { name: "Search runs" }).fill('"" --');
  await expect(page.getByRole("search").getByRole("alert")).toHaveText(
    "Search for at least one word or number",
  );
  await expect(page).toHaveURL(new RegExp(`[?&]q=${word}`));
});

test("a tag set through the REST API filters the history", async ({
  page,
  playwright,
  baseURL,
}) => {
  const script = uniqueScriptKey("tags");
  await scriptModel(script, [{ text: "# Tagged" }]);
  const { key } = await trpcMutation(page.request, "apiKeys.create", {
    name: `Tags ${script.slice(-6)}`,
    role: "operator",
  });
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${key}` },
  });
  const tag = `customer:c${script
    .slice(-8)
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()}`;
  const started = await api.post("/api/v1/runs", {
    data: {
      skill: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Tag me ${scriptMarker(script)}` },
      tags: [tag],
    },
  });
  expect(started.status(), await started.text()).toBe(201);
  const run = (await started.json()) as { id: string; tags: string[] };
  expect(run.tags).toEqual([tag]);
  const refused = await api.post("/api/v1/runs", {
    data: { skill: EMAIL_SKILL.slug, inputs: {}, tags: ["Not A Tag"] },
  });
  expect(refused.status()).toBe(400);
  await api.dispose();

  await page.goto("/runs");
  await page.getByRole("button", { name: /^Tags/ }).click();
  await page.getByLabel("Runs tagged (all of them)").fill(tag);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/[?&]tag=customer/);
  const rows = page.locator("[data-run-id]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-run-id", run.id);
  await expect(rows.first().getByRole("list", { name: "Tags" })).toContainText(tag);

  // The run's page shows the tag; an operator edits the tags there.
  await page.goto(`/runs/${run.id}`);
  const tags = page.getByTestId("run-tags");
  await expect(tags).toContainText(tag);
  await tags.getByLabel("Add tags").fill("env:e2e");
  await tags.getByRole("button", { name: "Add" }).click();
  await expect(tags.getByRole("list", { name: "Tags" })).toContainText("env:e2e");
});
