import http from "node:http";
import { expect, test, ADMIN_STATE, EMAIL_SKILL, startRunThroughApi } from "./support";

test.use({ storageState: ADMIN_STATE });

/** A PUT with headers of our choosing, `Host` included (fetch would not send that one). */
function putWithHost(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "PUT", headers: { "content-type": "application/json", ...headers } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("error", reject);
    request.end("{}");
  });
}

test("the app under the launcher runs only what its engine signed, and syncs only its configured URL", async ({
  page,
  baseURL,
}) => {
  const inngestUrl = new URL("/api/inngest", baseURL).toString();
  const event = {
    name: "skill/run.requested",
    data: { runId: "00000000-0000-4000-8000-000000000000", tenantId: "t" },
    id: "x",
    ts: Date.now(),
    user: {},
  };
  const forged = await page.request.post(`${inngestUrl}?fnId=skillrun-run-skill&stepId=step`, {
    data: {
      event,
      events: [event],
      steps: {},
      ctx: {
        run_id: "01FORGED",
        attempt: 0,
        max_attempts: 1,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: [], current: 0 },
      },
      version: 2,
    },
  });
  expect(forged.status()).toBe(401);

  const introspection = await page.request.get(inngestUrl);
  expect(introspection.status()).toBe(401);
  expect(await introspection.text()).toBe('{"message":"Unauthorized"}');

  const forgedHosts: Record<string, string>[] = [
    { host: "evil.example" },
    { "x-forwarded-host": "evil.example" },
    { host: "evil.example", "x-inngest-sync-kind": "in_band" },
  ];
  for (const headers of forgedHosts) {
    expect(await putWithHost(inngestUrl, headers)).toBe(401);
  }

  // The engine's signed calls still run everything: a run goes all the way through.
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: "Who may run my functions?" },
  });
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });
});
