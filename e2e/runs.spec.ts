import type { Locator, Page } from "@playwright/test";
import { modelCalls, scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { expect, test, ADMIN_STATE, EMAIL_SKILL, runIdOf, startRunThroughApi } from "./support";

const DELIVERABLE = [
  "# Reply to Dana",
  "",
  "| Question | Answer |",
  "| --- | --- |",
  "| Where is my order? | Shipped on Monday |",
  "",
  "```json",
  '{ "tracking": "1Z999" }',
  "```",
  "",
  "- [x] Apologise for the delay",
  "- [ ] Offer a call",
].join("\n");

test.use({ storageState: ADMIN_STATE });

async function openRunNow(page: Page) {
  await page.goto("/skills");
  await page.getByRole("button", { name: `Run ${EMAIL_SKILL.name} now` }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
  await expect(dialog.getByLabel("Customer's email")).toBeVisible();
  return dialog;
}

const status = (page: Page) => page.getByTestId("run-status");

test("Run now with inputs goes from running to complete and renders the deliverable", async ({
  page,
}, testInfo) => {
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
  });
  const key = uniqueScriptKey("happy");
  await scriptModel(key, [
    { toolCalls: [{ name: "current_time", arguments: {} }], delayMs: 800 },
    { text: DELIVERABLE, delayMs: 400 },
  ]);

  const dialog = await openRunNow(page);
  await dialog.getByLabel("Customer's email").fill(`Where is my order? ${scriptMarker(key)}`);
  await dialog.getByLabel("Customer name").fill("Dana");
  await dialog.getByLabel("Customer name").press("Enter");

  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(status(page)).toContainText(/Queued|Running/);
  await expect(status(page)).toContainText("Running");
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });

  const deliverable = page.getByTestId("deliverable");
  await expect(deliverable.getByRole("heading", { name: "Reply to Dana" })).toBeVisible();
  await expect(deliverable.getByRole("table")).toContainText("Shipped on Monday");
  await expect(deliverable.locator("pre code")).toContainText('"tracking"');
  await expect(deliverable.locator("pre code .hljs-attr")).toHaveCount(1);
  await expect(deliverable.getByRole("checkbox")).toHaveCount(2);

  const timeline = page.getByRole("list", { name: "Timeline" });
  for (const type of [
    "queued",
    "running",
    "config_resolved",
    "tool_call",
    "model_call",
    "complete",
  ])
    await expect(timeline.locator(`[data-event-type="${type}"]`).first()).toBeVisible();
  await expect(timeline).toContainText("Tool current_time");
  // Inputs as labelled fields with the skill's titles, the JSON as sent one toggle away.
  const inputs = page.getByTestId("run-inputs");
  await expect(inputs.locator("dt", { hasText: /^Customer name$/ }).locator("+ dd")).toHaveText(
    "Dana",
  );
  await expect(inputs.locator("dt", { hasText: /^Tone$/ }).locator("+ dd")).toHaveText("warm");
  await expect(inputs).not.toContainText('"customerName"');
  await page.getByRole("button", { name: "JSON", exact: true }).click();
  await expect(page.getByRole("button", { name: "JSON", exact: true })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(inputs).toContainText('"customerName": "Dana"');
  await expect(page.getByTestId("run-provenance")).toContainText("Run now · ");
  expect((await modelCalls(key)).calls).toBe(2);

  expect(cspViolations).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath("run-detail.png"), fullPage: true });
  await testInfo.attach("run-detail", {
    path: testInfo.outputPath("run-detail.png"),
    contentType: "image/png",
  });
});

test("a complete run page fits a phone: no sideways scroll at 390 px, long content wraps or scrolls in its own box", async ({
  page,
}) => {
  const key = uniqueScriptKey("phone");
  const wide = Array.from({ length: 8 }, (_, index) => `Column ${index + 1}`);
  await scriptModel(key, [
    {
      text: [
        "# A long reply",
        "",
        `| ${wide.join(" | ")} |`,
        `| ${wide.map(() => "---").join(" | ")} |`,
        `| ${wide.map(() => "a-rather-long-cell-value").join(" | ")} |`,
        "",
        "```json",
        JSON.stringify({ trace: "x".repeat(300) }),
        "```",
        "",
        `See https://example.test/${"very-long-path-segment/".repeat(12)} for more.`,
        "",
        ...Array.from({ length: 30 }, (_, index) => `Paragraph ${index + 1} of the reply.`),
      ].join("\n"),
    },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: {
      customerName: "Dana",
      customerEmail: `${"an-unbroken-word-".repeat(20)} ${scriptMarker(key)}`,
    },
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });
  await expect(page.getByTestId("deliverable").getByRole("table")).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline" }).locator("li").last()).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});

test("a run whose key is rejected fails after one model request, and says which setting to fix", async ({
  page,
}) => {
  const key = uniqueScriptKey("fail");
  await scriptModel(key, [
    { error: { status: 401, message: "Incorrect API key provided" } },
    { text: "# Never asked for" },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Hello there ${scriptMarker(key)}` },
  });

  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Failed", { timeout: 20_000 });
  const failure = page.getByTestId("run-failure");
  await expect(failure).toContainText("model_error");
  await expect(failure).toContainText(
    "The model provider rejected the credentials (HTTP 401): Incorrect API key provided",
  );
  await expect(failure).toContainText(
    "What to do: The provider rejected the credentials. Fix OPENAI_COMPATIBLE_API_KEY, restart Skillrun, then re-run.",
  );
  // The failure and the timeline first; no empty deliverable card above them.
  await expect(page.getByTestId("no-deliverable")).toHaveText("No deliverable — the run failed.");
  await expect(page.getByRole("heading", { name: "Deliverable" })).toHaveCount(0);
  const top = async (locator: Locator) => (await locator.boundingBox())?.y ?? Number.NaN;
  const timeline = page.getByRole("list", { name: "Timeline" });
  expect(await top(failure)).toBeLessThan(await top(timeline));
  expect(await top(timeline)).toBeLessThan(await top(page.getByTestId("run-inputs")));
  await expect(timeline.locator('[data-event-type="model_retry"]')).toHaveCount(0);
  expect((await modelCalls(key)).calls).toBe(1);
});

test("a rate-limited model call is retried inside the run: it completes, and the timeline shows both requests", async ({
  page,
}) => {
  const key = uniqueScriptKey("ratelimit");
  await scriptModel(key, [
    {
      error: { status: 429, message: "Rate limit reached, try again in 1s", retryAfterSeconds: 1 },
    },
    { text: "# Reply\n\nSent after the rate limit." },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Busy day ${scriptMarker(key)}` },
  });

  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });
  await expect(
    page.getByTestId("deliverable").getByRole("heading", { name: "Reply" }),
  ).toBeVisible();
  const timeline = page.getByRole("list", { name: "Timeline" });
  const retry = timeline.locator('[data-event-type="model_retry"]');
  await expect(retry).toHaveCount(1);
  await expect(retry).toContainText("Model call failed: HTTP 429 · retrying");
  await expect(retry).toContainText("attempt 1 of 3 · next in 1.0 s");
  await expect(timeline.locator('[data-event-type="model_call"]')).toHaveCount(1);
  await expect(timeline.locator('[data-event-type="running"]')).toHaveCount(1);
  expect((await modelCalls(key)).calls).toBe(2);
});

test("cancelling a slow run stops it: cancelled, no deliverable, the timeline shows the cancel", async ({
  page,
}) => {
  const key = uniqueScriptKey("slow");
  await scriptModel(key, [{ text: "# Too late", delayMs: 60_000 }]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Please hurry ${scriptMarker(key)}` },
  });

  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Running", { timeout: 15_000 });
  await expect.poll(async () => (await modelCalls(key)).calls, { timeout: 15_000 }).toBe(1);
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel run" }).click();

  await expect(status(page)).toContainText("Cancelled");
  await expect(page.getByRole("button", { name: "Cancel", exact: true })).toHaveCount(0);
  await expect(page.getByTestId("no-deliverable")).toHaveText(
    "No deliverable — the run was cancelled before producing one.",
  );
  await expect(
    page.getByRole("list", { name: "Timeline" }).locator('[data-event-type="cancelled"]'),
  ).toContainText(`by ${DEMO_ADMIN.name}`);
  // The model call in flight is abandoned, not waited for.
  await expect.poll(async () => (await modelCalls(key)).aborted, { timeout: 15_000 }).toBe(1);
});

test("a run cancelled mid-turn shows the tokens it used without a reload", async ({ page }) => {
  const key = uniqueScriptKey("cancel-usage");
  await scriptModel(key, [
    {
      toolCalls: [{ name: "current_time", arguments: {} }],
      usage: { promptTokens: 400, completionTokens: 25 },
    },
    { text: "# Too late", delayMs: 60_000 },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Count my tokens ${scriptMarker(key)}` },
  });

  await page.goto(`/runs/${runId}`);
  await expect.poll(async () => (await modelCalls(key)).calls, { timeout: 15_000 }).toBe(2);
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel run" }).click();

  await expect(status(page)).toContainText("Cancelled");
  const tokens = page.locator("dt", { hasText: /^Tokens$/ }).locator("+ dd");
  await expect(tokens).toHaveText("425", { timeout: 10_000 });
});

test("re-run with an edited input starts a linked run with the new value", async ({ page }) => {
  const key = uniqueScriptKey("rerun");
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Refund please ${scriptMarker(key)}`, tone: "warm" },
  });
  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });

  await page.getByRole("button", { name: "Re-run with changes" }).click();
  const dialog = page.getByRole("dialog", { name: `Re-run ${EMAIL_SKILL.name}` });
  await expect(dialog.getByLabel("Customer's email")).toHaveValue(
    `Refund please ${scriptMarker(key)}`,
  );
  await dialog.getByLabel("Tone").selectOption("apologetic");
  await dialog.getByRole("button", { name: "Re-run" }).click();

  await expect(page).toHaveURL(
    (url) => runIdOf(url.toString()) !== "" && runIdOf(url.toString()) !== runId,
  );
  await expect(
    page
      .getByTestId("run-inputs")
      .locator("dt", { hasText: /^Tone$/ })
      .locator("+ dd"),
  ).toHaveText("apologetic");
  await expect(page.getByTestId("run-provenance")).toContainText("Re-run of");
  await page.getByRole("link", { name: `${runId.slice(0, 8)}…` }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
});

test("Run now preselects the agent the skill is assigned to, and prefill asks before it replaces typed inputs", async ({
  page,
}) => {
  const key = uniqueScriptKey("prefill");
  await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `An earlier question ${scriptMarker(key)}`, customerName: "Ola" },
  });
  const dialog = await openRunNow(page);
  // Support Writer owns the skill; the tenant's default (Ops Assistant) does not.
  await expect(dialog.getByLabel("Agent").locator("option:checked")).toHaveText("Support Writer");
  await expect(
    dialog.getByText("Support Writer is the agent this skill is assigned to."),
  ).toBeVisible();

  await dialog.getByLabel("Customer name").fill("Typed by hand");
  const picker = dialog.getByLabel("Prefill from a previous run");
  await picker.selectOption({ index: 1 });
  const confirm = page.getByRole("alertdialog", { name: "Replace what you typed?" });
  await expect(confirm).toContainText("Customer name");
  await confirm.getByRole("button", { name: "Keep what I typed" }).click();
  await expect(dialog.getByLabel("Customer name")).toHaveValue("Typed by hand");
  await picker.selectOption({ index: 1 });
  await page.getByRole("alertdialog").getByRole("button", { name: "Replace" }).click();
  await expect(dialog.getByLabel("Customer name")).not.toHaveValue("Typed by hand");
});

test("invalid input shows the field's error and creates no run", async ({ page }) => {
  const key = uniqueScriptKey("invalid");
  const dialog = await openRunNow(page);
  await dialog.getByLabel("Customer's email").fill(key.slice(0, 9));
  await dialog.getByRole("button", { name: "Run now" }).click();

  await expect(dialog.getByRole("alert")).toHaveText(
    "Customer's email must be at least 10 characters",
  );
  await expect(dialog.getByLabel("Customer's email")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/skills$/);
  await dialog.getByLabel("Customer's email").fill(`${key} is long enough`);
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  await page.goto("/runs");
  await expect(page.getByRole("table", { name: "Runs" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Runs" })).not.toContainText(key.slice(0, 9));
});

test("filters live in the URL, and a shared URL reproduces the view", async ({ page, context }) => {
  const failKey = uniqueScriptKey("filter");
  // A 400 is not retried: a 5xx would be, and reach the next (unscripted, successful) answer.
  await scriptModel(failKey, [{ error: { status: 400, message: "bad request" } }]);
  const failedRun = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Broken ${scriptMarker(failKey)}` },
  });
  await page.goto(`/runs/${failedRun}`);
  await expect(status(page)).toContainText("Failed", { timeout: 20_000 });

  await page.goto("/runs");
  // One change at a time, at human speed: nuqs can drop an update made within its URL flush.
  const filters = page.getByRole("search", { name: "Filter runs" });
  await filters.getByRole("button", { name: /^Status/ }).click();
  await page.getByRole("checkbox", { name: "Failed" }).check();
  await expect(page).toHaveURL(/status=failed/);
  await page.keyboard.press("Escape");
  await filters.getByRole("button", { name: /^Failure/ }).click();
  // The codes read as labels, each with what it means.
  const modelError = page.getByRole("radio", { name: "Model error" });
  await expect(modelError).toHaveAccessibleDescription(/model provider refused/);
  await modelError.click();
  await expect(page).toHaveURL(
    /status=failed&failure=model_error|failure=model_error&status=failed/,
  );
  await expect(filters.getByRole("button", { name: "Failure: Model error" })).toBeVisible();
  const rows = page.getByRole("table", { name: "Runs" }).locator("tbody tr");
  await expect(
    rows
      .filter({ has: page.locator(`[data-run-id="${failedRun}"]`) })
      .or(page.locator(`tr[data-run-id="${failedRun}"]`)),
  ).toHaveCount(1);
  for (const statusText of await rows.locator("[data-status]").allTextContents())
    expect(statusText).toBe("Failed");

  const shared = await context.newPage();
  await shared.goto(page.url());
  const sharedFilters = shared.getByRole("search", { name: "Filter runs" });
  await expect(sharedFilters.getByRole("button", { name: "Status: Failed" })).toBeVisible();
  await expect(sharedFilters.getByRole("button", { name: "Failure: Model error" })).toBeVisible();
  await expect(shared.locator(`tr[data-run-id="${failedRun}"]`)).toBeVisible();
  expect(await shared.getByRole("table", { name: "Runs" }).locator("tbody tr").count()).toBe(
    await rows.count(),
  );

  await shared.getByRole("button", { name: "Clear filters" }).click();
  await expect(shared).toHaveURL(/\/runs$/);
});

test("bulk cancel cancels only the selected runs that can still be cancelled", async ({ page }) => {
  const key = uniqueScriptKey("bulk");
  await scriptModel(key, [
    { text: "# slow", delayMs: 60_000 },
    { text: "# slow", delayMs: 60_000 },
  ]);
  const slow = [
    await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Bulk one ${scriptMarker(key)}` },
    }),
    await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Bulk two ${scriptMarker(key)}` },
    }),
  ];
  await page.goto("/runs");
  for (const runId of slow) await page.getByLabel(`Select run ${runId}`).check();
  await page.getByRole("button", { name: "Cancel selected (2)" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("Cancel 2 runs?");
  await confirm.getByRole("button", { name: "Cancel 2 runs" }).click();

  for (const runId of slow)
    await expect(page.locator(`tr[data-run-id="${runId}"] [data-status]`)).toHaveText("Cancelled");
  await expect(page.getByText("2 runs selected")).toHaveCount(0);
});

test("Run now works from the keyboard alone", async ({ page }) => {
  const key = uniqueScriptKey("keyboard");
  await page.goto("/skills");
  const runNow = page.getByRole("button", { name: `Run ${EMAIL_SKILL.name} now` });
  for (
    let presses = 0;
    presses < 60 && !(await runNow.evaluate((element) => element === document.activeElement));
    presses++
  )
    await page.keyboard.press("Tab");
  await expect(runNow).toBeFocused();
  await page.keyboard.press("Enter");

  const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
  const email = dialog.getByLabel("Customer's email");
  for (
    let presses = 0;
    presses < 10 && !(await email.evaluate((element) => element === document.activeElement));
    presses++
  )
    await page.keyboard.press("Tab");
  await expect(email).toBeFocused();
  await page.keyboard.type(`Typed without a mouse ${scriptMarker(key)}`);
  await page.keyboard.press("Control+Enter");

  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });

  // The command palette reaches Run now too, even when Enter comes before its skills have
  // loaded: the skills list is held until after the keys are typed.
  let releaseSkills = () => {};
  const skillsHeld = new Promise<void>((resolve) => (releaseSkills = resolve));
  await page.route(/\/api\/trpc\/[^?]*skills\.list/, async (route) => {
    await skillsHeld;
    await route.continue();
  });
  await page.reload();
  await expect(status(page)).toContainText("Complete");
  await page.keyboard.press("Control+k");
  await expect(page.getByPlaceholder("Run a skill or go to a page…")).toBeFocused();
  await page.keyboard.type("run customer email");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Command palette" })).toContainText(
    "Loading skills…",
  );
  releaseSkills();
  await expect(page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` })).toBeVisible();
  await page.unroute(/\/api\/trpc\/[^?]*skills\.list/);
  await page.keyboard.press("Escape");

  // j/k and Enter open a run from the history.
  await page.goto("/runs");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.keyboard.press("j");
  await expect(page.locator("tbody tr").first()).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
});

test("a model's script in a deliverable never executes", async ({ page }) => {
  const key = uniqueScriptKey("xss");
  await scriptModel(key, [
    {
      text: [
        "# Hostile",
        '<script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'img\'">',
        "[click me](javascript:window.__pwned='link')",
        "Plain text survives.",
      ].join("\n\n"),
    },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Be nasty ${scriptMarker(key)}` },
  });
  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });
  const deliverable = page.getByTestId("deliverable");
  await expect(deliverable).toContainText("Plain text survives.");
  await expect(deliverable.locator("script, img, [onerror]")).toHaveCount(0);
  // The link keeps its text but loses the javascript: target.
  await expect(deliverable.getByText("click me")).toBeVisible();
  for (const href of await deliverable
    .locator("a")
    .evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? "")))
    expect(href).not.toMatch(/^\s*javascript:/i);
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
  ).toBeUndefined();
});

test("a deliverable the guardrail changed says so: the date stays, the phone number is masked, a badge and the timeline tell", async ({
  page,
}) => {
  const key = uniqueScriptKey("masked");
  await scriptModel(key, [
    { text: "Released 2025-05-20 at 10:30. Questions: call (415) 555-2671." },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `When was it released? ${scriptMarker(key)}` },
  });
  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });

  await expect(page.getByTestId("deliverable")).toHaveText(
    "Released 2025-05-20 at 10:30. Questions: call [phone number removed].",
  );
  const badge = page.getByTestId("deliverable-masked");
  await expect(badge).toContainText("Guardrail masked 1 item");
  await expect(badge).toHaveAttribute("title", /phone × 1/);

  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.locator('[data-event-type="guardrail_masked"]')).toContainText(
    "Guardrail masked 1 item (deliverable)",
  );
  await expect(timeline.locator('[data-event-type="guardrail_masked"]')).toContainText(
    "Standard: phone × 1",
  );
  await expect(timeline).not.toContainText("Guardrail passed (deliverable)");
});
