import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { E2E_SECRETS } from "./secrets";
import {
  expect,
  test,
  ADMIN_STATE,
  EMAIL_SKILL,
  startRunThroughApi,
  tenantHeaders,
} from "./support";

test.use({ storageState: ADMIN_STATE });

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

test("the server's secrets are in no client bundle, page or run snapshot", async ({ page }) => {
  test.skip(Boolean(process.env.E2E_BASE_URL), "needs the build this suite made");
  const secrets = Object.values(E2E_SECRETS);

  // Every file the browser can download.
  const files = await filesUnder(path.resolve(".next/static"));
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const content = await readFile(file, "utf8");
    for (const secret of secrets)
      expect(content.includes(secret), `${secret} in ${file}`).toBe(false);
  }

  // What the app serves and answers, including a finished run's snapshot and timeline.
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: "Are my secrets safe?" },
  });
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });
  const html = await page.content();
  const headers = await tenantHeaders(page.request);
  const answers = await Promise.all(
    ["runs.get", "runs.events"].map(async (procedure) =>
      (
        await page.request.get(
          `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: { runId } }))}`,
          { headers },
        )
      ).text(),
    ),
  );
  for (const body of [html, ...answers])
    for (const secret of secrets) expect(body).not.toContain(secret);
  expect(answers[0]).toContain("openai-compatible:scripted");
});
