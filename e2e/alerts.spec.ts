/**
 * Alerts end to end: an admin adds an email channel (a real SMTP server, `smtp-server`, run by
 * this spec on loopback) and a rule "any failure of skill X" through the Alerts page; three runs
 * of the skill fail inside the rule's cooldown, and the SMTP server receives exactly one message.
 */
import { ALERTS_EVALUATE_EVERY_SECONDS } from "./app-env";
import { startSmtpSink } from "./fixtures/smtp-sink";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";
import { trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });
// The rules are judged by a cron, every ALERTS_EVALUATE_EVERY_SECONDS in the suite's app (every
// minute in production): proving that no second message follows takes more judging rounds.
test.describe.configure({ timeout: 240_000 });

test("a rule on any failure of a skill emails the SMTP server once for three failures inside its cooldown", async ({
  page,
}) => {
  const smtp = await startSmtpSink({ port: Number(process.env.E2E_SMTP_PORT ?? 0) });
  try {
    const key = uniqueScriptKey("alert");
    const recipient = `oncall-${key.slice(-8)}@example.com`;
    const ruleName = `Email replies failing ${key.slice(-8)}`;
    await page.goto("/");
    await page.getByRole("navigation").getByRole("link", { name: "Alerts" }).click();
    await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();

    await page.getByRole("button", { name: "Add channel" }).click();
    const channelDialog = page.getByRole("dialog");
    await channelDialog.getByLabel("Kind").selectOption("email");
    await channelDialog.getByLabel("Name", { exact: true }).fill(`On-call ${key.slice(-8)}`);
    await channelDialog.getByLabel("Recipients").fill(recipient);
    await channelDialog.getByLabel("SMTP host").fill("127.0.0.1");
    await channelDialog.getByLabel("Port").fill(String(smtp.port));
    await channelDialog.getByLabel("Security").selectOption("none");
    await channelDialog.getByLabel("From address").fill("skillrun@example.com");
    await channelDialog.getByRole("button", { name: "Add channel" }).click();
    await expect(channelDialog).toBeHidden();
    const channel = page
      .getByRole("list", { name: "Channels" })
      .getByRole("listitem")
      .filter({ hasText: recipient });
    await expect(channel).toContainText(`${recipient} via 127.0.0.1`);

    // Send test reaches the SMTP server at once and is recorded in the history.
    await channel.getByRole("button", { name: /Send test/ }).click();
    await expect(channel.getByRole("status")).toContainText("Test sent");
    await expect.poll(() => smtp.received.length).toBe(1);
    expect(smtp.received[0]?.subject).toBe("[Skillrun] Test alert");

    await page.getByRole("button", { name: "Add rule" }).click();
    const ruleDialog = page.getByRole("dialog");
    await ruleDialog.getByLabel("Name", { exact: true }).fill(ruleName);
    await ruleDialog.getByLabel("When").selectOption("run_failed");
    await ruleDialog.getByLabel("Skill", { exact: true }).selectOption({ label: EMAIL_SKILL.name });
    await ruleDialog.getByLabel("Cooldown (minutes)").fill("60");
    await ruleDialog.getByRole("checkbox", { name: `On-call ${key.slice(-8)}` }).check();
    await ruleDialog.getByRole("button", { name: "Add rule" }).click();
    await expect(ruleDialog).toBeHidden();
    await expect(page.getByRole("list", { name: "Alert rules" })).toContainText(ruleName);

    await scriptModel(
      key,
      [1, 2, 3].map(() => ({ error: { status: 401, message: "Incorrect API key provided" } })),
    );
    const runIds: string[] = [];
    for (const customerName of ["Ana", "Ben", "Cy"])
      runIds.push(
        await startRunThroughApi(page, {
          skillSlug: EMAIL_SKILL.slug,
          inputs: { customerName, customerEmail: `Hello ${scriptMarker(key)}` },
        }),
      );
    for (const runId of runIds)
      await expect
        .poll(async () => (await trpcQuery(page.request, "runs.get", { runId })).status, {
          timeout: 30_000,
        })
        .toBe("failed");

    const alerts = () =>
      smtp.received.filter((mail) => mail.subject.startsWith(`[Skillrun] ${ruleName}:`));
    await expect.poll(() => alerts().length, { timeout: 100_000 }).toBe(1);
    const [alert] = alerts();
    expect(alert?.to).toEqual([recipient]);
    expect(alert?.subject).toContain(`a run of ${EMAIL_SKILL.name} failed (model_error)`);
    expect(alert?.text).toContain("The model provider rejected the credentials");

    // The next judging rounds find the other failures inside the cooldown: still one message.
    const history = page.getByRole("table", { name: "Alert history" });
    await page.reload();
    await expect(history.getByRole("row").filter({ hasText: ruleName })).toHaveCount(1);
    await page.waitForTimeout(3 * ALERTS_EVALUATE_EVERY_SECONDS * 1000);
    expect(alerts()).toHaveLength(1);
    await page.reload();
    const delivered = history.getByRole("row").filter({ hasText: ruleName });
    await expect(delivered).toHaveCount(1);
    await expect(delivered).toContainText("Sent");
  } finally {
    await smtp.close();
  }
});
