import type { Page } from "@playwright/test";
import {
  modelCalls,
  releaseModel,
  scriptMarker,
  scriptModel,
  uniqueScriptKey,
} from "./fixtures/model-script";
import {
  ADMIN_STATE,
  definitionOf,
  EMAIL_SKILL,
  expect,
  isSameDocument,
  markDocument,
  startRunThroughApi,
  test,
} from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const status = (page: Page) => page.getByTestId("run-status");
const timeline = (page: Page) => page.getByRole("list", { name: "Timeline" });
const events = (page: Page, type: string) => timeline(page).locator(`[data-event-type="${type}"]`);

test("a running run's page shows each event as it happens, then the terminal status, without a reload", async ({
  page,
}) => {
  const key = uniqueScriptKey("live-timeline");
  await scriptModel(key, [
    { toolCalls: [{ name: "current_time", arguments: {} }], hold: true },
    { text: "# Reply to Lin\n\nYour parcel left on Monday.", hold: true },
  ]);
  try {
    const runId = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerName: "Lin", customerEmail: `Where is my parcel? ${scriptMarker(key)}` },
    });
    await page.goto(`/runs/${runId}`);
    await markDocument(page);

    // Held in its first model call: started, nothing from the model yet.
    await expect.poll(async () => (await modelCalls(key)).held, { timeout: 15_000 }).toBe(1);
    await expect(status(page)).toContainText("Running");
    await expect(events(page, "config_resolved")).toBeVisible();
    await expect(events(page, "model_call")).toHaveCount(0);
    await expect(
      page.getByText("The deliverable appears here when the run completes."),
    ).toBeVisible();
    await expect(definitionOf(page, "Duration")).toContainText("so far");
    await expect(page.getByRole("button", { name: "Cancel", exact: true })).toBeVisible();
    // While live, Cancel is the primary action.
    await expect(page.getByRole("button", { name: "Cancel", exact: true })).toHaveClass(
      /bg-primary/,
    );
    await expect(page.getByRole("button", { name: "Re-run", exact: true })).not.toHaveClass(
      /bg-primary/,
    );
    // The call the run waits on, with a timer that counts between polls.
    const pending = events(page, "in_progress");
    await expect(pending).toHaveCount(1);
    await expect(pending).toContainText(/^In progress: Model call · \d+ s/);
    const elapsed = pending.getByTestId("elapsed");
    const shownFirst = await elapsed.textContent();
    await expect.poll(() => elapsed.textContent(), { timeout: 5_000 }).not.toBe(shownFirst);

    // The first answer asks for a tool: its events arrive while the run is still running.
    await releaseModel(key);
    await expect(events(page, "tool_call")).toContainText("Tool current_time");
    await expect(events(page, "model_call")).toHaveCount(1);
    await expect.poll(async () => (await modelCalls(key)).held, { timeout: 15_000 }).toBe(1);
    await expect(status(page)).toContainText("Running");
    await expect(events(page, "complete")).toHaveCount(0);
    // The model call is listed where it started: before the tool call it asked for.
    await expect(pending).toContainText("In progress: Model call");
    const order = await timeline(page)
      .locator(":scope > li")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-event-type")));
    expect(order.indexOf("model_call")).toBeGreaterThan(-1);
    expect(order.indexOf("model_call")).toBeLessThan(order.indexOf("tool_call"));
    expect(order.at(-1)).toBe("in_progress");
    // What the recorded model call used, counted while the run goes on; the scripted model has no price.
    await expect(definitionOf(page, "Tokens")).toContainText("so far");
    await expect(page.getByTestId("cost-unknown")).toHaveAttribute(
      "title",
      "Price unknown for this model",
    );

    // The final answer: the run completes, and the page says so.
    await releaseModel(key);
    await expect(status(page)).toContainText("Complete", { timeout: 15_000 });
    await expect(events(page, "complete")).toBeVisible();
    await expect(timeline(page).getByRole("listitem").last()).toHaveAttribute(
      "data-event-type",
      "complete",
    );
    await expect(events(page, "model_call")).toHaveCount(2);
    await expect(
      page.getByTestId("deliverable").getByRole("heading", { name: "Reply to Lin" }),
    ).toBeVisible();
    await expect(definitionOf(page, "Duration")).not.toContainText("so far");
    await expect(page.getByRole("button", { name: "Cancel", exact: true })).toHaveCount(0);
    await expect(events(page, "in_progress")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Re-run", exact: true })).toHaveClass(
      /bg-primary/,
    );
    expect(await isSameDocument(page)).toBe(true);
  } finally {
    await releaseModel(key, { count: 2 });
  }
});

test("the config snapshot card shows what the run ran with: the agent's model, template, tools, knowledge and guardrail", async ({
  page,
}) => {
  const key = uniqueScriptKey("snapshot");
  // Not the tenant's default agent: the writer, whose template blocks a tool and brings a guardrail.
  const writer = (await trpcQuery(page.request, "agents.list", undefined)).find(
    (agent) => agent.name === "Support Writer",
  );
  const { runId } = await trpcMutation(page.request, "runs.start", {
    skillSlug: EMAIL_SKILL.slug,
    agentId: writer?.id,
    inputs: { customerEmail: `What did you run with? ${scriptMarker(key)}` },
  });
  await page.goto(`/runs/${runId}`);
  await expect(status(page)).toContainText("Complete", { timeout: 20_000 });

  await expect(page.getByRole("heading", { name: "Config snapshot" })).toBeVisible();
  await expect(definitionOf(page, "Agent")).toHaveText("Support Writer");
  await expect(definitionOf(page, "Model")).toHaveText("openai-compatible:scripted");
  await expect(definitionOf(page, "Template")).toHaveText("Customer-facing writer");
  await expect(definitionOf(page, "Blocked tools")).toHaveText("read_skill_reference");
  await expect(definitionOf(page, "MCP servers")).toHaveText("none");
  await expect(definitionOf(page, "Knowledge bases")).toHaveText("Acme handbook");
  await expect(definitionOf(page, "Guardrail")).toHaveText("Standard (template)");
  await expect(definitionOf(page, "Limits")).toHaveText("6 steps · 180 s");
  // The tools the card lists are the ones the model was offered, the blocked one not among them.
  const [request] = (await modelCalls(key)).requests;
  expect(request?.model).toBe("scripted");
  const offered = ((request?.tools ?? []) as { function: { name: string } }[])
    .map((tool) => tool.function.name)
    .sort();
  expect(offered).toContain("search_knowledge_base");
  expect(offered).not.toContain("read_skill_reference");
  const listed = (await definitionOf(page, "Tools offered").textContent())?.split(", ") ?? [];
  expect(listed.sort()).toEqual(offered);
});
