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
  EMAIL_SKILL,
  expect,
  isSameDocument,
  markDocument,
  startRunThroughApi,
  test,
} from "./support";
import { trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const status = (page: Page) => page.getByTestId("run-status");

test("a slow run shows its deliverable as the model writes it and its tool calls as they end, then the final deliverable", async ({
  page,
}) => {
  const key = uniqueScriptKey("live-output");
  // The guardrail holds back the last characters until the next words come (the length of its
  // longest denied term): the half shown live ends some words before "Monday".
  const firstHalf = "# Reply to Lin\n\nYour parcel left our depot on Monday morning, as planned, ";
  const secondHalf = "and arrives on Thursday.\n\nKind regards,\nThe support team";
  await scriptModel(key, [
    { toolCalls: [{ name: "current_time", arguments: {} }], hold: true },
    // Streams the first half, then waits mid-answer until the spec releases it.
    { text: `${firstHalf}${secondHalf}`, holdAfterChars: firstHalf.length },
  ]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerName: "Lin", customerEmail: `Where is my parcel? ${scriptMarker(key)}` },
  });
  await page.goto(`/runs/${runId}`);
  await markDocument(page);

  const live = page.getByTestId("live-output");
  await expect(live).toHaveAttribute("aria-live", "polite");
  await expect.poll(async () => (await modelCalls(key)).held, { timeout: 15_000 }).toBe(1);
  await expect(live).toContainText("The deliverable appears here when the run completes.");

  // The tool call the first answer asked for is listed once it has run.
  await releaseModel(key);
  const toolCalls = page.getByRole("list", { name: "Tool calls" });
  await expect(toolCalls.getByRole("listitem")).toHaveCount(1);
  await expect(toolCalls.getByRole("listitem")).toContainText("current_time");
  await expect(toolCalls.getByRole("listitem")).toHaveAttribute("data-state", "done");

  // Half the answer is written and the model is still writing: the page shows that half.
  await expect.poll(async () => (await modelCalls(key)).held, { timeout: 15_000 }).toBe(1);
  await expect(live.getByRole("heading", { name: "Reply to Lin" })).toBeVisible();
  await expect(live).toContainText("Your parcel left our depot on Monday");
  await expect(live).not.toContainText("Thursday");
  await expect(status(page)).toContainText("Running");
  await expect(page.getByTestId("deliverable")).toHaveCount(0);

  await releaseModel(key);
  await expect(status(page)).toContainText("Complete", { timeout: 15_000 });
  const deliverable = page.getByTestId("deliverable");
  await expect(deliverable).toContainText("arrives on Thursday.");
  await expect(live).toHaveCount(0);
  expect(await isSameDocument(page)).toBe(true);

  // Stored exactly as the model wrote it (trimmed), the last text the page showed live.
  const run = await trpcQuery(page.request, "runs.get", { runId });
  expect(run.deliverable?.payload).toBe(`${firstHalf}${secondHalf}`.trim());
  expect(run.liveOutput).toBeNull();
});
