import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, EMAIL_SKILL } from "./support";

test.use({ storageState: ADMIN_STATE });

test("an admin creates an API key in the UI; a call with it starts a run the history shows as an API run", async ({
  page,
  playwright,
  baseURL,
}) => {
  const script = uniqueScriptKey("api");
  await scriptModel(script, [{ text: "# Answered through the API" }]);
  const keyName = `Pipeline ${script.slice(-6)}`;

  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Key name").fill(keyName);
  await form.getByLabel("Role").selectOption("operator");
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^srk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(
    page.getByRole("table", { name: "API keys" }).getByRole("row", { name: new RegExp(keyName) }),
  ).toContainText(key.slice(0, 12));

  // A client outside the browser: no cookies, only the key.
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${key}` },
  });
  const started = await api.post("/api/v1/runs", {
    data: { skill: EMAIL_SKILL.slug, inputs: { customerEmail: `From CI ${scriptMarker(script)}` } },
  });
  expect(started.status(), await started.text()).toBe(201);
  const run = (await started.json()) as { id: string; source: string };
  expect(run.source).toBe("api");
  await expect
    .poll(
      async () =>
        ((await (await api.get(`/api/v1/runs/${run.id}`)).json()) as { status: string }).status,
      { timeout: 20_000 },
    )
    .toBe("complete");
  const detail = (await (await api.get(`/api/v1/runs/${run.id}`)).json()) as {
    deliverable: { content: string };
  };
  expect(detail.deliverable.content).toContain("Answered through the API");
  await page.goto(`/runs/${run.id}`);
  const provenance = page.getByTestId("run-provenance");
  await expect(provenance).toContainText(`API key · ${keyName}`);
  await expect(provenance.getByRole("link", { name: keyName })).toHaveAttribute(
    "href",
    "/settings#api-keys",
  );
  await expect(provenance.getByRole("link", { name: "All runs with this key" })).toHaveAttribute(
    "href",
    /^\/runs\?apiKey=[0-9a-f-]{36}$/,
  );
  expect(
    (
      await api.get("/api/v1/runs", {
        headers: { authorization: "Bearer srk_00000000_00000000000000000000000000000000" },
      })
    ).status(),
  ).toBe(401);
  const openapi = (await (await api.get("/api/v1/openapi.json")).json()) as { openapi: string };
  expect(openapi.openapi).toBe("3.1.0");
  await api.dispose();

  await page.goto("/runs?source=api");
  const row = page.locator(`tr[data-run-id="${run.id}"]`);
  await expect(row).toContainText("API");
  await expect(row).toContainText(keyName);
  await expect(row.locator("[data-status]")).toHaveText("Complete");

  // The key's name links to everything it started, as a named, removable filter.
  await row.getByRole("link", { name: keyName }).click();
  await expect(page).toHaveURL(/[?&]apiKey=[0-9a-f-]{36}/);
  const filters = page.getByRole("search", { name: "Filter runs" });
  await expect(filters.getByText(keyName)).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(row).toBeVisible();
  await filters.getByRole("button", { name: "Clear the API key filter" }).click();
  await expect(page).toHaveURL(/\/runs$/);
});
