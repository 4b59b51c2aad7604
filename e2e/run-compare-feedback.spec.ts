import type { Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { checkPage, settle } from "./page-checks";
import { ADMIN_STATE, EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const reply = (day: string) =>
  ["# Reply to Dana", "", "Thanks for writing.", `Your order shipped on ${day}.`, "", "Best"].join(
    "\n",
  );

async function completed(page: Page, runId: string) {
  await expect
    .poll(async () => (await trpcQuery(page.request, "runs.get", { runId })).status, {
      timeout: 20_000,
    })
    .toBe("complete");
}

/** A run whose deliverable says Monday, and its re-run (the script changed meanwhile) saying Tuesday. */
async function runAndRerun(page: Page) {
  const key = uniqueScriptKey("compare");
  await scriptModel(key, [{ text: reply("Monday") }]);
  const original = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Where is my order? ${scriptMarker(key)}`, customerName: "Dana" },
  });
  await completed(page, original);
  await scriptModel(key, [{ text: reply("Tuesday") }]);
  const { runId: rerun } = await trpcMutation(page.request, "runs.rerun", { runId: original });
  await completed(page, rerun);
  return { original, rerun };
}

async function expectOneChangedLine(page: Page) {
  await expect(page.getByRole("heading", { name: "Compare runs" })).toBeVisible();
  await expect(page.getByTestId("deliverable-diff-summary")).toHaveText(
    "1 line removed, 1 line added (from A to B).",
  );
  const diff = page.getByRole("region", { name: "Deliverable diff" });
  await expect(diff.locator('tr[data-change="removed"]')).toHaveCount(1);
  await expect(diff.locator('tr[data-change="removed"]')).toContainText(
    "Removed: Your order shipped on Monday.",
  );
  await expect(diff.locator('tr[data-change="added"]')).toHaveCount(1);
  await expect(diff.locator('tr[data-change="added"]')).toContainText(
    "Added: Your order shipped on Tuesday.",
  );
  await expect(diff.locator('tr[data-change="same"]').first()).toContainText("# Reply to Dana");
}

test("compare shows the one changed line of two deliverables, from the history and from a re-run", async ({
  page,
  browserConsole,
}, testInfo) => {
  const { original, rerun } = await runAndRerun(page);

  // From the history: select exactly these two, then Compare (the older is A).
  await page.goto(`/runs?ids=${original},${rerun}`);
  await page.getByRole("checkbox", { name: `Select run ${original}` }).check();
  await expect(page.getByRole("link", { name: "Compare", exact: true })).toHaveCount(0);
  await page.getByRole("checkbox", { name: `Select run ${rerun}` }).check();
  await page.getByRole("link", { name: "Compare", exact: true }).click();
  await expect(page).toHaveURL(`/runs/compare?a=${original}&b=${rerun}`);
  await expectOneChangedLine(page);
  // Same inputs and config on both sides: nothing there differs.
  await expect(page.getByRole("table", { name: "Inputs of run A and run B" })).toContainText(
    "Dana",
  );
  await expect(page.locator("tr[data-differs]")).toHaveCount(0);
  // Light and dark, at this width and a phone's: no sideways scroll, no serious axe violation.
  await settle(page, page.getByRole("region", { name: "Deliverable diff" }));
  await checkPage(page, testInfo, "compare runs");
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPage(page, testInfo, "compare runs (phone)");
  await page.setViewportSize({ width: 1024, height: 768 });

  // From the re-run's page, one click.
  await page.goto(`/runs/${rerun}`);
  await page.getByRole("link", { name: "Compare with the original" }).click();
  await expect(page).toHaveURL(`/runs/compare?a=${original}&b=${rerun}`);
  await expectOneChangedLine(page);

  // An id that is not a run of this tenant: a clear refusal, nothing of the other run shown.
  browserConsole.expectRefused("/api/trpc/runCompare.get", 404);
  await page.goto(`/runs/compare?a=${original}&b=00000000-0000-4000-8000-000000000000`);
  await expect(page.getByText("These runs cannot be compared")).toBeVisible();
  await expect(
    page.getByText("Run 00000000-0000-4000-8000-000000000000 was not found."),
  ).toBeVisible();
  await expect(page.getByTestId("deliverable-diff-summary")).toHaveCount(0);
});

test("👎 with a comment on a run shows on its skill's feedback rollup", async ({
  page,
}, testInfo) => {
  const key = uniqueScriptKey("feedback");
  await scriptModel(key, [{ text: reply("Friday") }]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Is it coming? ${scriptMarker(key)}`, customerName: "Dana" },
  });
  await completed(page, runId);
  const comment = `Wrong day, the order left on Thursday (${key}).`;

  await page.goto(`/runs/${runId}`);
  const card = page.getByTestId("run-feedback");
  await expect(card).toContainText("Nobody has rated this run yet.");
  await card.getByRole("button", { name: "Bad" }).click();
  await expect(card.getByRole("button", { name: "Bad" })).toHaveAttribute("aria-pressed", "true");
  await card.getByLabel("Comment (optional)").fill(comment);
  await card.getByRole("button", { name: "Save feedback" }).click();
  await expect(page.getByText("Feedback saved")).toBeVisible();
  await expect(card.getByRole("list", { name: "Ratings" })).toContainText(comment);
  await expect(card.getByRole("button", { name: "Update feedback" })).toBeVisible();
  await settle(page, card.getByRole("list", { name: "Ratings" }));
  await checkPage(page, testInfo, "a rated run");

  // The history shows the rating beside the run.
  await page.goto(`/runs?ids=${runId}`);
  await expect(page.getByTestId("feedback-counts").first()).toContainText("Bad: 1");

  // The skill's rollup counts it in this week and lists the comment.
  await page.goto(`/skills/${EMAIL_SKILL.slug}`);
  const rollup = page.getByTestId("feedback-rollup");
  await expect(rollup.getByRole("region", { name: "Latest comments" })).toContainText(comment);
  await settle(page, rollup.getByRole("region", { name: "Latest comments" }));
  await checkPage(page, testInfo, "a skill's feedback rollup");
  await expect(rollup.getByTestId("feedback-counts")).toContainText(/Bad: [1-9]/);
  await expect(
    rollup.getByRole("list", { name: "Share of good ratings, week by week" }).locator("li").last(),
  ).toContainText(/% good/);
});
