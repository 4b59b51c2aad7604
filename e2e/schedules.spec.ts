import type { Page } from "@playwright/test";
import superjson from "superjson";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, tenantHeaders } from "./support";

test.use({ storageState: ADMIN_STATE, timezoneId: "Europe/Berlin" });

test("an admin schedules a skill, sees what the cadence means, runs it now and finds the run in the ledger", async ({
  page,
}) => {
  const key = uniqueScriptKey("schedule");
  const name = `Digest ${key.slice(-8)}`;
  await page.goto("/schedules");
  await page.getByRole("link", { name: "New schedule" }).click();

  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Skill").selectOption({ label: "Weekly status digest" });
  await expect(form.getByLabel("Team")).toBeVisible();
  // The timezone defaults to the browser's.
  await expect(form.getByLabel("Timezone")).toHaveValue("Europe/Berlin");

  // The default cadence reads as its preset, not "Custom (cron)"; the time is typed 24 h.
  await expect(form.getByLabel("Cadence")).toHaveValue("weekdays");
  await expect(form.getByLabel("Time (24 h)")).toHaveValue("08:30");
  await form.getByLabel("Time (24 h)").fill("17:45");
  await expect(form.getByLabel("Cron expression (5 fields)")).toHaveValue("45 17 * * 1-5");
  await form.getByLabel("Cron expression (5 fields)").fill("30 8 * * 1-5");
  await expect(form.getByLabel("Cadence")).toHaveValue("weekdays");
  await expect(form.getByLabel("Time (24 h)")).toHaveValue("08:30");
  const preview = page.getByTestId("cadence-preview");
  await expect(preview).toContainText("At 08:30, Monday through Friday (Europe/Berlin)");
  await expect(
    preview.getByRole("table", { name: "Next fire times" }).locator("tbody tr"),
  ).toHaveCount(5);
  // The schedule's zone first, 24 h, and how far off; UTC beside it.
  await expect(preview.locator("tbody tr").first()).toContainText(/\d{2}:30 CES?T/);
  await expect(preview.locator("tbody tr").first()).toContainText(/UTC.*in \d/);
  await expect(preview).not.toContainText(/AM|PM|just now/);

  await form.getByLabel("Cron expression (5 fields)").fill("61 * * * *");
  await expect(form.getByText("Minute: 61 is out of range 0–59")).toBeVisible();
  await form.getByLabel("Cron expression (5 fields)").fill("30 8 * * 1-5");

  await form.getByLabel("Team").fill("Platform");
  await form.getByLabel("Raw notes").fill(`Shipped the ledger. ${scriptMarker(key)}`);
  await form.locator("fieldset").getByLabel("Week of").selectOption("start-of-week");
  await expect(page.getByTestId("resolved-inputs")).toContainText(/"weekOf": "\d{4}-\d{2}-\d{2}"/);
  await form.getByRole("button", { name: "Create schedule" }).click();

  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("No slots yet.")).toBeVisible();
  await expect(page.getByText("weekOf: start of this week")).toBeVisible();

  await page.getByRole("button", { name: "Run now" }).click();
  const slots = page.getByRole("table", { name: "Slots" });
  await expect(slots.locator("[data-outcome]")).toHaveText(["Fired"]);
  await expect(slots.locator("[data-status]")).toHaveText("Complete", { timeout: 20_000 });
  await expect(page.getByTestId("slot-summary")).toHaveText("1 ok");
  await slots.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-inputs")).toContainText("Platform");
  await expect(page.getByText("Schedule", { exact: true })).toBeVisible();
  await expect(page.getByTestId("run-provenance").getByRole("link", { name })).toHaveAttribute(
    "href",
    /^\/schedules\/[0-9a-f-]{36}$/,
  );
  await expect(page.getByTestId("run-provenance")).toContainText(`Schedule · ${name} · slot`);

  await page.goto("/schedules");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("At 08:30, Monday through Friday");
  await expect(row.locator("[data-health]")).toHaveText("OK");
  // Next fire in the schedule's zone, UTC on hover, and a distance that is never "just now" ahead.
  const nextFire = row.locator("time").first();
  await expect(nextFire).toContainText(/08:30 CES?T/);
  await expect(nextFire).toHaveAttribute("title", /UTC$/);
  await expect(nextFire).toContainText(/in \d/);
});

test("the editor shows every section's errors at once and focuses the first; a bad timezone marks only the timezone", async ({
  page,
}) => {
  await page.goto("/schedules/new");
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Skill").selectOption({ label: "Weekly status digest" });
  await expect(form.getByLabel("Team")).toBeVisible();

  await form.getByLabel("Timezone").fill("Mars/Olympus");
  await expect(form.getByText('"Mars/Olympus" is not an IANA timezone.')).toBeVisible();
  await expect(form.getByLabel("Timezone")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Cron expression (5 fields)")).not.toHaveAttribute("aria-invalid");

  await form.getByLabel("Cron expression (5 fields)").fill("30 8 * * 1-5x");
  // Name empty, Team empty: one click on Create shows all four problems.
  await form.getByRole("button", { name: "Create schedule" }).click();
  await expect(form.getByText("Name is required")).toBeVisible();
  await expect(form.getByText("Day of week: use 0–7 or MON–SUN")).toBeVisible();
  await expect(form.getByText('"Mars/Olympus" is not an IANA timezone.')).toBeVisible();
  await expect(form.getByText("Team is required")).toBeVisible();
  await expect(form.getByLabel("Name")).toBeFocused();
  await expect(page).toHaveURL(/\/schedules\/new$/);

  // A UTC schedule previews one column of times, not two identical ones.
  await form.getByLabel("Timezone").fill("UTC");
  await form.getByLabel("Cron expression (5 fields)").fill("0 9 * * *");
  const preview = page.getByTestId("cadence-preview");
  await expect(preview.getByRole("columnheader", { name: /^In / })).toHaveText(["In UTC"]);
  await expect(form.getByRole("link", { name: "Cancel" })).toHaveAttribute("href", "/schedules");
});

/** A tRPC call through the endpoint the UI uses, with the page's session. */
async function trpc<T>(
  page: Page,
  path: string,
  input: unknown,
  kind: "query" | "mutation",
): Promise<T> {
  const headers = await tenantHeaders(page.request);
  const response =
    kind === "query"
      ? await page.request.get(
          `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
          { headers },
        )
      : await page.request.post(`/api/trpc/${path}`, {
          data: superjson.serialize(input),
          headers: { "content-type": "application/json", ...headers },
        });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

test("a slot whose run failed reads as failed in the ledger and the list, and the list shows the failing streak", async ({
  page,
}) => {
  const key = uniqueScriptKey("failing-schedule");
  const name = `Failing digest ${key.slice(-8)}`;
  // The first run completes; the model refuses the next two with a 400, which is never retried.
  await scriptModel(key, [
    { text: "# Platform — status\n\nShipped the ledger." },
    { error: { status: 400, message: "bad" } },
    { error: { status: 400, message: "bad" } },
  ]);
  const skills = await trpc<{ id: string; slug: string }[]>(
    page,
    "skills.list",
    undefined,
    "query",
  );
  const { id: scheduleId } = await trpc<{ id: string }>(
    page,
    "schedules.create",
    {
      name,
      skillId: skills.find((skill) => skill.slug === "weekly-status-digest")!.id,
      agentId: null,
      inputs: {
        teamName: { kind: "literal", value: "Platform" },
        weekOf: { kind: "relative-date", anchor: "start-of-week", offsetDays: 0 },
        notes: { kind: "literal", value: `Shipped the ledger. ${scriptMarker(key)}` },
      },
      cron: "30 8 * * 1-5",
      timezone: "Europe/Berlin",
      overlapPolicy: "skip",
      // Disabled, so the tick cannot add a slot of its own mid-test; Run now still runs it.
      enabled: false,
    },
    "mutation",
  );

  await page.goto(`/schedules/${scheduleId}`);
  const slots = page.getByRole("table", { name: "Slots" });
  for (const [index, status] of ["Complete", "Failed", "Failed"].entries()) {
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(slots.locator("[data-status]")).toHaveCount(index + 1);
    // Newest first.
    await expect(slots.locator("[data-status]").first()).toHaveText(status, { timeout: 20_000 });
  }
  // Every slot fired; two of the runs failed, and the ledger's summary says so.
  await expect(slots.locator("[data-outcome]")).toHaveText(["Fired", "Fired", "Fired"]);
  const strip = page.getByRole("img", { name: "Last 3 slots: 1 ok, 2 failed" });
  await expect(strip).toBeVisible();
  const bars = strip.locator("[data-health]");
  await expect(bars).toHaveCount(3);
  // Oldest to newest.
  expect(
    await bars.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute("data-health")),
    ),
  ).toEqual(["ok", "failed", "failed"]);
  await expect(bars.nth(2)).toHaveClass(/bg-red-500/);
  await expect(bars.nth(2)).toHaveAttribute("title", /· Run failed$/);
  await expect(bars.nth(0)).toHaveAttribute("title", /· Run complete$/);
  await expect(page.getByTestId("slot-summary")).toHaveText("1 ok · 2 failed");
  // Slot times in the schedule's zone, 24 h, UTC on hover.
  await expect(slots.getByRole("columnheader").first()).toHaveText("Slot (Europe/Berlin)");
  const slotTime = slots.locator("tbody time").first();
  await expect(slotTime).toContainText(/^\w{3}( \d{1,2} \w{3})? \d{2}:\d{2} CES?T/);
  await expect(slotTime).toHaveAttribute("title", /\d{2}:\d{2} UTC$/);

  await page.goto("/schedules");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row.locator("[data-health]")).toHaveText("Failed");
  await expect(row).toContainText("last 2 failed");
});
