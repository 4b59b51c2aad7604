import { randomUUID } from "node:crypto";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, EMAIL_SKILL } from "./support";

test.use({ storageState: ADMIN_STATE });

test("an admin creates a webhook in the UI; a signed delivery starts a run the history shows as a webhook run", async ({
  page,
  playwright,
  baseURL,
  browserConsole,
}) => {
  const script = uniqueScriptKey("webhook");
  await scriptModel(script, [{ text: "# Answered from a webhook" }]);
  const name = `Helpdesk ${script.slice(-6)}`;

  await page.goto("/webhooks");
  await page.getByRole("button", { name: "New webhook" }).click();
  const form = page.getByRole("form", { name: "New webhook" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Skill").selectOption({ label: EMAIL_SKILL.name });
  // A pointer that is not RFC 6901: the server's field error lands next to the input.
  browserConsole.expectRefused("/api/trpc/webhooks.create", 400);
  await form.getByLabel("Pointer for customerEmail").fill("ticket/body");
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(form.getByRole("alert")).toContainText("is not a JSON Pointer");
  await form.getByLabel("Pointer for customerEmail").fill("/ticket/body");
  await form.getByLabel("Pointer for customerName").fill("/ticket/from/name");
  await form.getByLabel("Default for tone").fill("neutral");
  // A pasted sample previews what the mapping reads, with the receiver's own rules.
  await form.getByText("Preview with a sample payload").click();
  await form
    .getByLabel("Sample payload (JSON, as the sender posts it)")
    .fill('{"ticket":{"from":{"name":"Ada"}}}');
  const sample = form.getByTestId("sample-preview");
  await expect(sample).toContainText("nothing at /ticket/body");
  await expect(sample).toContainText("A delivery like this is refused (422)");
  await form
    .getByLabel("Sample payload (JSON, as the sender posts it)")
    .fill('{"ticket":{"body":"Where is my order, please?","from":{"name":"Ada"}}}');
  await expect(sample).toContainText("A delivery like this starts a run.");
  await form.getByRole("button", { name: "Create webhook" }).click();

  const secret = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^whsec_[\w-]{43}$/);
  const endpoint =
    (await page.getByTestId("webhook-endpoint").textContent())?.replace(/^POST\s+/, "").trim() ??
    "";
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("button", { name: "Copy the endpoint URL" })).toBeVisible();
  await expect(page.getByTestId("curl-example")).toContainText(
    '{"ticket":{"from":{"name":"Example customer name"}',
  );

  // The sender: no cookies, only the secret.
  const sender = await playwright.request.newContext({ baseURL });
  const deliveryId = randomUUID();
  const body = JSON.stringify({
    ticket: { body: `Where is my order? ${scriptMarker(script)}`, from: { name: "Ada" } },
  });
  const send = (signature: string, id = deliveryId) =>
    sender.post(endpoint, {
      data: body,
      headers: {
        "content-type": "application/json",
        "skillrun-signature": signature,
        "skillrun-delivery-id": id,
      },
    });

  const forged = await send(signWebhookBody("whsec_not-the-secret", body));
  expect(forged.status()).toBe(401);
  const accepted = await send(signWebhookBody(secret, body));
  expect(accepted.status(), await accepted.text()).toBe(202);
  const { runId } = (await accepted.json()) as { runId: string };
  const repeated = await send(signWebhookBody(secret, body));
  expect(await repeated.json()).toEqual({ runId, duplicate: true });
  await sender.dispose();

  // The log shows all three without a reload, newest first, the accepted one linked to its run.
  const log = page.getByRole("table", { name: "Deliveries" });
  await expect(log.locator("[data-verdict]")).toHaveText(
    ["Duplicate", "Accepted", "Bad signature"],
    { timeout: 15_000 },
  );
  // A forged delivery kept no payload: its row says why instead of offering Replay.
  const forgedRow = log
    .getByRole("row")
    .filter({ has: page.locator('[data-verdict="bad_signature"]') });
  await expect(forgedRow.getByTestId("replay-blocked")).toContainText("signature did not verify");
  await expect(forgedRow.getByRole("button", { name: "Replay" })).toHaveCount(0);
  await log
    .getByRole("row")
    .filter({ has: page.locator('[data-verdict="accepted"]') })
    .getByRole("link")
    .click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await expect(page.getByText("Answered from a webhook")).toBeVisible({ timeout: 20_000 });
  // The run names its webhook and delivery, linked, and the history of that webhook.
  const provenance = page.getByTestId("run-provenance");
  await expect(provenance).toContainText(`Webhook · ${name} · delivery ${deliveryId.slice(0, 8)}…`);
  await expect(provenance.getByRole("link", { name })).toHaveAttribute(
    "href",
    /^\/webhooks\/[0-9a-f-]{36}$/,
  );
  await expect(provenance.getByRole("link", { name: "All runs of this webhook" })).toHaveAttribute(
    "href",
    /^\/runs\?webhook=[0-9a-f-]{36}$/,
  );

  await page.goto("/runs?source=webhook");
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  await expect(row).toContainText("Webhook");
  await expect(row).toContainText(name);
  await expect(row.locator("[data-status]")).toHaveText("Complete");
});
