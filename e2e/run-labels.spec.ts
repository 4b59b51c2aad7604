import { uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, startRunThroughApi } from "./support";

test.use({ storageState: ADMIN_STATE });

const MEETING_SKILL = { slug: "meeting-prep", name: "Meeting prep brief" };

test("run lists name each run by its title input, with the other inputs beneath", async ({
  page,
}, testInfo) => {
  const key = uniqueScriptKey("labels");
  // Runs that differ only in the title input, which sorts last alphabetically: the old summary
  // read "attendees: [] · durationMinutes: 30 · meetingDate: …" for every one of them.
  const topics = [1, 2, 3].map((number) => `Customer QBR #${number} ${key}`);
  const runIds: string[] = [];
  for (const topic of topics) {
    runIds.push(
      await startRunThroughApi(page, {
        skillSlug: MEETING_SKILL.slug,
        inputs: { topic, meetingDate: "2026-01-12", attendees: [], durationMinutes: 30 },
      }),
    );
  }
  const rest = "meetingDate: 2026-01-12 · durationMinutes: 30";

  // Soft checks: a failure in one list still lets the others report.
  await page.goto("/runs");
  for (const [index, runId] of runIds.entries()) {
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect
      .soft(
        row.getByText(topics[index] ?? "", { exact: true }),
        "the history names the run by its topic",
      )
      .toBeVisible();
    await expect
      .soft(row.getByText(rest, { exact: true }), "the other inputs, beneath")
      .toBeVisible();
    await expect
      .soft(row.getByTestId("run-label").locator(":scope > span"))
      .toHaveText([topics[index] ?? "", rest]);
  }
  await page.screenshot({ path: testInfo.outputPath("history.png") });
  await testInfo.attach("history", {
    path: testInfo.outputPath("history.png"),
    contentType: "image/png",
  });

  await page.goto(`/skills/${MEETING_SKILL.slug}`);
  for (const [index, runId] of runIds.entries()) {
    const link = page.locator(`a[href="/runs/${runId}"]`);
    await expect
      .soft(
        link.getByText(topics[index] ?? "", { exact: true }),
        "the skill's recent runs name the run by its topic",
      )
      .toBeVisible();
  }
  await page.screenshot({ path: testInfo.outputPath("skill-page.png") });
  await testInfo.attach("skill-page", {
    path: testInfo.outputPath("skill-page.png"),
    contentType: "image/png",
  });

  await page.getByRole("button", { name: "Run now" }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${MEETING_SKILL.name}` });
  const picker = dialog.getByLabel("Prefill from a previous run");
  for (const [index, runId] of runIds.entries()) {
    const topic = (topics[index] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await expect
      .soft(picker.locator(`option[value="${runId}"]`), "the prefill picker starts with the topic")
      .toHaveText(new RegExp(`^${topic} · .* · ${rest}$`));
  }
  await picker.selectOption(runIds[1] ?? "");
  await expect(dialog.getByLabel("Meeting topic")).toHaveValue(topics[1] ?? "");
});
