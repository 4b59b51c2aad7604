import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";
import { trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const runsTable = (page: Page) => page.getByRole("table", { name: "Runs" });

async function completedRuns(page: Page, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = uniqueScriptKey(`export-${i}`);
    await scriptModel(key, [{ text: `# Reply ${i}\n\nSee you, "Dana", =soon.` }]);
    ids.push(
      await startRunThroughApi(page, {
        skillSlug: EMAIL_SKILL.slug,
        inputs: { customerEmail: `=Export me, "please" ${scriptMarker(key)}` },
      }),
    );
  }
  for (const runId of ids)
    await expect
      .poll(async () => (await trpcQuery(page.request, "runs.get", { runId })).status, {
        timeout: 20_000,
      })
      .toBe("complete");
  return ids;
}

test("an export of the filtered history downloads as many runs as the list shows, and an admin deletes one", async ({
  page,
}) => {
  const ids = await completedRuns(page, 3);
  await page.goto(`/runs?ids=${ids.join(",")}&status=complete`);
  const rows = runsTable(page).locator("tbody tr[data-run-id]");
  await expect(rows).toHaveCount(3);

  await page.getByRole("button", { name: "Export" }).click();
  const downloading = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: /^CSV/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^runs-.*\.csv$/);
  const csv = await readFile((await download.path()) ?? "", "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^id,status,source,skill_slug,/);
  // One line a run: the inputs' quotes are doubled inside quoted cells, never split a row.
  expect(
    lines
      .slice(1)
      .map((line) => line.slice(0, 36))
      .sort(),
  ).toEqual([...ids].sort());
  expect(lines).toHaveLength((await rows.count()) + 1);

  await page.goto(`/runs/${ids[0]}`);
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete run" }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await page.goto(`/runs?ids=${ids.join(",")}&status=complete`);
  await expect(rows).toHaveCount(2);
});

test("the retention settings show a dry run's count before saving, and refuse a deliverable retention that is not shorter", async ({
  page,
}) => {
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Retention" });
  await form.getByLabel("Keep runs (days)").fill("1");
  await form.getByRole("button", { name: "Dry run" }).click();
  await expect(page.getByTestId("retention-dry-run")).toHaveText(
    /^This would delete [\d,]+ runs? and clear 0 deliverables now\.$/,
  );

  await form.getByLabel("Keep deliverables (days)").fill("5");
  await form.getByRole("button", { name: "Dry run" }).click();
  await expect(form).toContainText(
    "Keep deliverables (days) must be shorter than the run retention",
  );
});
