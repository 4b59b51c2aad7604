import { releaseModel, scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

/** More than the history's first page (50 rows), so some matching runs are not on screen. */
const SLOW_RUNS = 55;

test("'Cancel all matching' on a filter of slow runs states the count and cancels every one, including rows not on screen", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const key = uniqueScriptKey("bulk-filter");
  await scriptModel(
    key,
    Array.from({ length: SLOW_RUNS }, () => ({ text: "# slow", hold: true })),
  );
  try {
    const tag = `bulk:${key.slice(-8)}`;
    const runIds: string[] = [];
    for (let i = 0; i < SLOW_RUNS; i++) {
      const started = await trpcMutation(page.request, "runs.start", {
        skillSlug: EMAIL_SKILL.slug,
        inputs: { customerEmail: `Bulk ${i} ${scriptMarker(key)}` },
        tags: [tag],
      });
      runIds.push(started.runId);
    }

    await page.goto(`/runs?tag=${encodeURIComponent(tag)}`);
    const rows = page.getByRole("table", { name: "Runs" }).locator("tbody tr[data-run-id]");
    await expect(rows).toHaveCount(50);

    await page.getByRole("button", { name: "All matching" }).click();
    await page.getByRole("menuitem", { name: "Cancel all matching" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(
      `${SLOW_RUNS} queued or running runs match the current filter`,
    );
    await dialog.getByRole("button", { name: `Cancel ${SLOW_RUNS} runs` }).click();

    const progress = page.getByRole("region", { name: "Bulk operations" });
    await expect(progress.getByLabel("Cancel all matching: Completed")).toContainText(
      `${SLOW_RUNS} of ${SLOW_RUNS} runs · ${SLOW_RUNS} cancelled · 0 skipped · 0 failed`,
      { timeout: 60_000 },
    );
    const cancelled = await trpcQuery(page.request, "runs.list", {
      tags: [tag],
      status: ["cancelled"],
      limit: 200,
    });
    expect(cancelled.runs.map((run) => run.id).sort()).toEqual([...runIds].sort());
    // The list caught up by itself: the rows on screen say so too.
    await expect(rows.locator("[data-status]", { hasText: "Cancelled" })).toHaveCount(50);
  } finally {
    // The runs' model calls that had started answer now, so nothing stays held for later specs.
    await releaseModel(key, { count: SLOW_RUNS });
  }
});
