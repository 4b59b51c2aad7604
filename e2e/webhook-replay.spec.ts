import { randomUUID } from "node:crypto";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import { modelCalls, scriptMarker, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

test("Replay on a logged delivery starts a new run from the stored payload, and the log shows the replay", async ({
  page,
  playwright,
  baseURL,
}) => {
  const key = uniqueScriptKey("replay");
  const skill = (await trpcQuery(page.request, "skills.list", undefined)).find(
    (candidate) => candidate.slug === EMAIL_SKILL.slug,
  );
  const { id: webhookId, secret } = await trpcMutation(page.request, "webhooks.create", {
    name: `Replayable ${key.slice(-8)}`,
    skillId: skill?.id ?? "",
    agentId: null,
    inputMapping: {
      customerEmail: { pointer: "/ticket/body" },
      customerName: { pointer: "/ticket/from" },
    },
    rateLimitPerMinute: 60,
    enabled: true,
  });

  // The sender: no cookies, only the secret.
  const sender = await playwright.request.newContext({ baseURL });
  const body = JSON.stringify({
    ticket: { body: `My invoice is wrong ${scriptMarker(key)}`, from: "Noor" },
  });
  const delivered = await sender.post(`/api/webhooks/${webhookId}`, {
    data: body,
    headers: {
      "content-type": "application/json",
      "skillrun-signature": signWebhookBody(secret, body),
      "skillrun-delivery-id": randomUUID(),
    },
  });
  expect(delivered.status(), await delivered.text()).toBe(202);
  const { runId: originalRun } = (await delivered.json()) as { runId: string };
  await sender.dispose();

  await page.goto(`/webhooks/${webhookId}`);
  const log = page.getByRole("table", { name: "Deliveries" });
  const deliveries = log.getByRole("row").filter({ has: page.locator("[data-verdict]") });
  await expect(deliveries).toHaveCount(1);
  await expect(deliveries.locator("[data-verdict]")).toHaveText("Accepted");
  await expect(deliveries.getByRole("link")).toHaveAttribute("href", `/runs/${originalRun}`);

  await deliveries.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByText("Delivery replayed")).toBeVisible();

  // Newest first: the replay, accepted, marked as one, with a run of its own.
  await expect(deliveries).toHaveCount(2);
  const replay = deliveries.first();
  await expect(replay.locator("[data-verdict]")).toHaveText("Accepted");
  await expect(replay).toContainText("· replay");
  await expect(deliveries.last()).not.toContainText("· replay");
  const replayRun = ((await replay.getByRole("link").getAttribute("href")) ?? "").replace(
    "/runs/",
    "",
  );
  expect(replayRun).toMatch(/^[0-9a-f-]{36}$/);
  expect(replayRun).not.toBe(originalRun);

  await page.getByRole("button", { name: "Open run" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${replayRun}$`));
  await expect(page.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });
  await expect(page.getByTestId("run-inputs")).toContainText("Noor");
  await expect(page.getByTestId("run-inputs")).toContainText(
    `My invoice is wrong ${scriptMarker(key)}`,
  );
  // The original delivery's run and the replay's both reached the model with the payload.
  await expect.poll(async () => (await modelCalls(key)).calls, { timeout: 20_000 }).toBe(2);
});

test("a delivery whose inputs do not fit says why Replay would fail instead of offering it, and the page fits a phone", async ({
  page,
  playwright,
  baseURL,
}) => {
  const key = uniqueScriptKey("no-replay");
  const skill = (await trpcQuery(page.request, "skills.list", undefined)).find(
    (candidate) => candidate.slug === EMAIL_SKILL.slug,
  );
  const { id: webhookId, secret } = await trpcMutation(page.request, "webhooks.create", {
    name: `Unmapped ${key.slice(-8)}`,
    skillId: skill?.id ?? "",
    agentId: null,
    inputMapping: { customerEmail: { pointer: "/ticket/body" } },
    rateLimitPerMinute: 60,
    enabled: true,
  });
  const sender = await playwright.request.newContext({ baseURL });
  const body = JSON.stringify({ ticket: { subject: "No body here" } });
  const refused = await sender.post(`/api/webhooks/${webhookId}`, {
    data: body,
    headers: {
      "content-type": "application/json",
      "skillrun-signature": signWebhookBody(secret, body),
      "skillrun-delivery-id": randomUUID(),
    },
  });
  expect(refused.status()).toBe(422);
  await sender.dispose();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/webhooks/${webhookId}`);
  const row = page
    .getByRole("table", { name: "Deliveries" })
    .getByRole("row")
    .filter({ has: page.locator("[data-verdict]") });
  await expect(row.locator("[data-verdict]")).toHaveText("Inputs invalid");
  // The log's reason is the sender's: which input, and nothing at which pointer.
  await expect(row).toContainText(
    "customerEmail is required, and the payload has nothing at /ticket/body",
  );
  await expect(row.getByTestId("replay-blocked")).toContainText(
    "Replay would fail the same way: customerEmail is required, and the payload has nothing at /ticket/body.",
  );
  await expect(row.getByRole("button", { name: "Replay" })).toHaveCount(0);
  await expect(page.getByTestId("curl-example")).toBeVisible();

  // Nothing scrolls the page sideways at 390 px: the example scrolls inside its own box.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
