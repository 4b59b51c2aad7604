/**
 * A webhook delivers its runs' results: an admin adds an email channel (a real SMTP server,
 * `smtp-server`, run by this spec on loopback), checks it under "Deliver results to" in the
 * webhook editor, fires the webhook, and the run page lists the delivery as sent while the SMTP
 * server holds the deliverable rendered as HTML. The run's end sends its deliveries at once (the
 * once-a-minute sweep is only the fallback), so the send follows the run within seconds.
 */
import { randomUUID } from "node:crypto";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import { startSmtpSink } from "./fixtures/smtp-sink";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, test } from "./support";

test.use({ storageState: ADMIN_STATE });
// Two editors, a webhook call and a run on the loaded 2-core machine: past the suite's 60 s there.
test.describe.configure({ timeout: 120_000 });

test("a webhook with an email channel under 'Deliver results to' sends its run's deliverable, listed as sent on the run page", async ({
  page,
  playwright,
  baseURL,
}) => {
  const smtp = await startSmtpSink({ port: Number(process.env.E2E_SMTP_PORT ?? 0) });
  try {
    const script = uniqueScriptKey("deliver");
    await scriptModel(script, [{ text: "# Order status\n\n**Shipped** yesterday." }]);
    const suffix = script.slice(-8);
    const channelName = `Support inbox ${suffix}`;
    const recipient = `support-${suffix}@example.com`;

    await page.goto("/alerts");
    await page.getByRole("button", { name: "Add channel" }).click();
    const channelDialog = page.getByRole("dialog");
    await channelDialog.getByLabel("Kind").selectOption("email");
    await channelDialog.getByLabel("Name", { exact: true }).fill(channelName);
    await channelDialog.getByLabel("Recipients").fill(recipient);
    await channelDialog.getByLabel("SMTP host").fill("127.0.0.1");
    await channelDialog.getByLabel("Port").fill(String(smtp.port));
    await channelDialog.getByLabel("Security").selectOption("none");
    await channelDialog.getByLabel("From address").fill("skillrun@example.com");
    await channelDialog.getByRole("button", { name: "Add channel" }).click();
    await expect(channelDialog).toBeHidden();

    await page.goto("/webhooks");
    await page.getByRole("button", { name: "New webhook" }).click();
    const form = page.getByRole("form", { name: "New webhook" });
    await form.getByLabel("Name").fill(`Orders ${suffix}`);
    await form.getByLabel("Skill").selectOption({ label: EMAIL_SKILL.name });
    await form.getByLabel("Pointer for customerEmail").fill("/body");
    await form.getByLabel("Pointer for customerName").fill("/name");
    await form
      .getByRole("group", { name: "Deliver results to" })
      .getByRole("checkbox", { name: channelName })
      .check();
    await form.getByRole("button", { name: "Create webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
    const endpoint =
      (await page.getByTestId("webhook-endpoint").textContent())?.replace(/^POST\s+/, "").trim() ??
      "";
    await page.getByRole("button", { name: "Done" }).click();

    const sender = await playwright.request.newContext({ baseURL });
    const body = JSON.stringify({ name: "Ada", body: `Where is it? ${scriptMarker(script)}` });
    const accepted = await sender.post(endpoint, {
      data: body,
      headers: {
        "content-type": "application/json",
        "skillrun-signature": signWebhookBody(secret, body),
        "skillrun-delivery-id": randomUUID(),
      },
    });
    expect(accepted.status(), await accepted.text()).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    await sender.dispose();

    await page.goto(`/runs/${runId}`);
    const delivery = page
      .getByRole("list", { name: "Deliveries" })
      .getByRole("listitem")
      .filter({ hasText: channelName });
    await expect(delivery).toContainText("Email");
    // The run's end sends it; no wait for the sweep's minute.
    await expect(delivery).toContainText("Sent", { timeout: 30_000 });
    const mails = smtp.received.filter((mail) => mail.to.includes(recipient));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.html).toContain("<strong>Shipped</strong>");
  } finally {
    await smtp.close();
  }
});
