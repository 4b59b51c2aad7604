import type { Locator, Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE, EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";

test.use({ storageState: ADMIN_STATE });

const PHONE = { width: 390, height: 844 };

/** The console's own content is there, so React has hydrated and the shell answers keys. */
const catalogShown = (page: Page) =>
  expect(page.getByRole("list", { name: "Skills" })).toBeVisible();

async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
}

async function openPalette(page: Page): Promise<Locator> {
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(palette).toBeVisible();
  return palette;
}

test.describe("on a phone", () => {
  test.use({ viewport: PHONE });

  test("the sidebar is a drawer behind the menu button: it navigates, closes on navigation and on Escape, and gives focus back", async ({
    page,
  }) => {
    await page.goto("/skills");
    await catalogShown(page);
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);

    const menuButton = page.getByRole("button", { name: "Open menu" });
    const drawer = page.getByRole("dialog", { name: "Skillrun" });
    await menuButton.click();
    await expect(
      drawer.getByRole("button", { name: /^Tenant: Acme Operations\s+Owner$/ }),
    ).toBeVisible();
    await drawer.getByRole("link", { name: "Agents", exact: true }).click();
    await expect(page).toHaveURL(/\/agents$/);
    await expect(drawer).toBeHidden();
    await expect(menuButton).toBeFocused();

    await menuButton.click();
    await expect(drawer.getByRole("link", { name: "Agents", exact: true })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await page.keyboard.press("Escape");
    await expect(drawer).toBeHidden();
    await expect(menuButton).toBeFocused();
  });

  test("the skills, agents and settings pages fit the screen, and Run now is reachable on a skill's page", async ({
    page,
  }) => {
    // A run with a long label among the skill's recent runs, which must truncate, not widen the page.
    const key = uniqueScriptKey("phone");
    await scriptModel(key, [{ text: "# Fits on a phone" }]);
    await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: {
        customerEmail: `A question long enough to widen the page if nothing truncated it ${scriptMarker(key)}`,
      },
    });
    await page.goto("/agents");
    const agents = page.getByRole("table", { name: "Agents" });
    await expect(agents).toBeVisible();
    expect(await scrollsSideways(page)).toBe(false);
    await agents.getByRole("link", { name: "Support Writer", exact: true }).click();
    await expect(page.locator("dt", { hasText: /^System prompt$/ })).toBeVisible();
    expect(await scrollsSideways(page)).toBe(false);

    const pages: [path: string, shown: (page: Page) => Locator][] = [
      ["/skills", (page) => page.getByRole("list", { name: "Skills" })],
      ["/settings", (page) => page.getByRole("table", { name: "Members" })],
      [
        "/settings/audit",
        (page) =>
          page.getByRole("table", { name: "Audit log" }).or(page.getByText("Nothing recorded yet")),
      ],
      ["/settings/api", (page) => page.getByRole("table", { name: "Run fields" })],
      [`/skills/${EMAIL_SKILL.slug}`, (page) => page.getByTestId("run-label").first()],
    ];
    for (const [path, shown] of pages) {
      await page.goto(path);
      await expect(shown(page), path).toBeVisible();
      expect(await scrollsSideways(page), `${path} scrolls sideways`).toBe(false);
    }

    // Still on the skill's page: its instructions fit too, Run now is on screen, and its dialog
    // fits the phone.
    await expect(page.locator(".prose")).toBeVisible();
    expect(await scrollsSideways(page)).toBe(false);
    const runNow = page.getByRole("button", { name: "Run now" });
    await expect(runNow).toBeInViewport();
    await runNow.click();
    const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
    await expect(dialog.getByLabel("Customer's email")).toBeVisible();
    const box = await dialog.boundingBox();
    expect(box).not.toBeNull();
    if (box) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
    }
  });
});

test.describe("with the OS in dark mode", () => {
  test.use({ colorScheme: "dark" });

  test("the console is dark from the first paint, a choice in the user menu or the palette wins, and it survives a reload", async ({
    page,
  }) => {
    // The <html> class when the console's content first reaches the document, before React runs.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.querySelector("main")) return;
        document.documentElement.dataset.themeAtFirstContent = document.documentElement.className;
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const html = page.locator("html");

    await page.goto("/skills");
    await catalogShown(page);
    await expect(html).toHaveClass(/\bdark\b/);
    await expect(html).toHaveAttribute("data-theme-at-first-content", /\bdark\b/);
    expect(await page.evaluate(() => getComputedStyle(document.body).colorScheme)).toBe("dark");

    await page.getByRole("button", { name: "Theme" }).click();
    await page.getByRole("menuitemradio", { name: "Light" }).click();
    await expect(html).not.toHaveClass(/\bdark\b/);

    await page.reload();
    await catalogShown(page);
    await expect(html).toHaveAttribute("data-theme-at-first-content", /\blight\b/);
    await expect(html).not.toHaveClass(/\bdark\b/);

    const palette = await openPalette(page);
    await palette.getByRole("combobox").fill("theme system");
    await palette.getByRole("option", { name: /Theme: System/ }).click();
    await expect(html).toHaveClass(/\bdark\b/);
  });
});

test.describe("with the clipboard", () => {
  test.use({ permissions: ["clipboard-read", "clipboard-write"] });

  test("the palette opens a run by its id; its deliverable's code block names its language and copies from the keyboard, and inline code shows no backticks", async ({
    page,
  }) => {
    const key = uniqueScriptKey("shell");
    const code = '{ "tracking": "1Z999" }';
    await scriptModel(key, [
      {
        text: ["# Palette check", "", "Run `npm ci` first.", "", "```json", code, "```"].join("\n"),
      },
    ]);
    const runId = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Open me by id ${scriptMarker(key)}` },
    });

    await page.goto("/skills");
    await catalogShown(page);
    const palette = await openPalette(page);
    await palette.getByRole("combobox").fill(runId);
    await expect(palette.getByRole("option")).toHaveCount(1);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
    await expect(page.getByTestId("run-status")).toContainText("Complete", { timeout: 20_000 });

    const deliverable = page.getByTestId("deliverable");
    await expect(deliverable.getByText("json", { exact: true })).toBeVisible();
    const copy = deliverable.getByRole("button", { name: "Copy code" });
    await copy.focus();
    await page.keyboard.press("Enter");
    await expect(deliverable.getByRole("button", { name: "Copied code" })).toBeFocused();
    expect((await page.evaluate(() => navigator.clipboard.readText())).trim()).toBe(code);

    const inline = deliverable.locator("p code", { hasText: "npm ci" });
    await expect(inline).toHaveText("npm ci");
    for (const pseudo of ["::before", "::after"])
      expect(
        await inline.evaluate((element, which) => getComputedStyle(element, which).content, pseudo),
      ).not.toContain("`");
  });
});
