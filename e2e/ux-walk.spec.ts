/**
 * Issue 17's "done when": the operator's main walk (sign in → Run now → complete → history →
 * schedule → webhook) on a desktop and a phone, each page in light and dark, with no page
 * scrolling sideways, a clean console, no serious or critical accessibility violation, and every
 * page's screenshots in the report. On the desktop, the same checks visit every other console
 * page too.
 *
 * It moves between pages with `page.goto` and finds controls by role and name, so it holds
 * whether the navigation is a sidebar or a drawer.
 */
import { randomUUID } from "node:crypto";
import type { APIRequestContext, Locator, Page, TestInfo } from "@playwright/test";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { checkPage, settle } from "./page-checks";
import { ADMIN_STATE, EMAIL_SKILL, expect, test } from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

const DIGEST_SKILL = { slug: "weekly-status-digest" };

type Variant = {
  name: string;
  viewport: { width: number; height: number };
  /** Also visit the console pages off the walk (the accessibility check of every page). */
  everyPage: boolean;
};

// One test per viewport, each page seen in both colour schemes (page-checks.ts): a page loaded
// once and checked twice costs half of a separate dark walk, which the suite's budget needs.
const VARIANTS: Variant[] = [
  { name: "desktop 1440×900", viewport: { width: 1440, height: 900 }, everyPage: true },
  { name: "phone 390×844", viewport: { width: 390, height: 844 }, everyPage: false },
];

/** What the walk opens besides what it makes itself: made once, through the API. */
type World = {
  scheduleId: string;
  scheduleName: string;
  webhookId: string;
  webhookName: string;
  failedRunId: string;
  agentId: string;
};

async function makeWorld(request: APIRequestContext): Promise<World> {
  const key = uniqueScriptKey("ux-walk");
  const failingKey = uniqueScriptKey("ux-walk-failing");
  await scriptModel(key, [{ text: "# Platform — status\n\nShipped the ledger." }]);
  // A 400 is never retried: the run fails at once.
  await scriptModel(failingKey, [{ error: { status: 400, message: "The request was malformed" } }]);

  const skills = await trpcQuery(request, "skills.list", undefined);
  const skillId = (slug: string) => skills.find((skill) => skill.slug === slug)?.id ?? "";

  const { runId: failedRunId } = await trpcMutation(request, "runs.start", {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Where is my refund? ${scriptMarker(failingKey)}` },
  });

  const scheduleName = `Walk digest ${key.slice(-6)}`;
  const { id: scheduleId } = await trpcMutation(request, "schedules.create", {
    name: scheduleName,
    skillId: skillId(DIGEST_SKILL.slug),
    agentId: null,
    inputs: {
      teamName: { kind: "literal", value: "Platform" },
      weekOf: { kind: "relative-date", anchor: "start-of-week", offsetDays: 0 },
      notes: { kind: "literal", value: `Shipped the ledger. ${scriptMarker(key)}` },
    },
    cron: "30 8 * * 1-5",
    timezone: "Europe/Berlin",
    overlapPolicy: "skip",
    // Disabled, so the tick adds no slots while the walks run; Run now gives the ledger one.
    enabled: false,
  });
  await trpcMutation(request, "schedules.runNow", { scheduleId });

  const webhookName = `Walk helpdesk ${key.slice(-6)}`;
  const { id: webhookId, secret } = await trpcMutation(request, "webhooks.create", {
    name: webhookName,
    skillId: skillId(EMAIL_SKILL.slug),
    agentId: null,
    inputMapping: {
      customerEmail: { pointer: "/ticket/body" },
      customerName: { pointer: "/ticket/from/name" },
    },
    rateLimitPerMinute: 60,
    enabled: true,
  });
  // One delivery, so the webhook's log has a row to lay out.
  const body = JSON.stringify({
    ticket: { body: `Where is my order? ${scriptMarker(key)}`, from: { name: "Ada" } },
  });
  const delivered = await request.post(`/api/webhooks/${webhookId}`, {
    data: body,
    headers: {
      "content-type": "application/json",
      "skillrun-signature": signWebhookBody(secret, body),
      "skillrun-delivery-id": randomUUID(),
    },
  });
  expect(delivered.status(), await delivered.text()).toBe(202);

  const [agent] = await trpcQuery(request, "agents.list", undefined);
  return {
    scheduleId,
    scheduleName,
    webhookId,
    webhookName,
    failedRunId,
    agentId: agent?.id ?? "",
  };
}

let world: World | null = null;

test.beforeAll(async ({ playwright }, testInfo) => {
  const request = await playwright.request.newContext({
    baseURL: testInfo.project.use.baseURL,
    storageState: ADMIN_STATE,
  });
  world = await makeWorld(request);
  await request.dispose();
});

/** The console follows the OS's colour scheme (next-themes' "system", its class on <html>). */
async function expectThemeFollowsTheSystem(page: Page) {
  const html = page.locator("html");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect
    .soft(html, "dark mode follows prefers-color-scheme")
    .toHaveClass(/(^|\s)dark(\s|$)/, {
      timeout: 3_000,
    });
  await page.emulateMedia({ colorScheme: "light" });
  await expect.soft(html).not.toHaveClass(/(^|\s)dark(\s|$)/, { timeout: 3_000 });
}

/** The page's title (a rendered markdown document can hold another h1 of the same name). */
const heading = (page: Page, name: string | RegExp) =>
  page.getByRole("heading", { name, level: 1 }).first();

/** Opens `path`, waits for it to settle on `ready` (its title by default) and checks it. */
async function visit(
  page: Page,
  testInfo: TestInfo,
  name: string,
  path: string,
  ready: (page: Page) => Locator,
) {
  await test.step(name, async () => {
    await page.goto(path);
    await settle(page, ready(page));
    await checkPage(page, testInfo, name);
  });
}

for (const variant of VARIANTS) {
  test.describe(variant.name, () => {
    test.use({ viewport: variant.viewport, colorScheme: "light" });

    test(`${variant.name}: the operator's walk${variant.everyPage ? " and every console page" : ""} read right in light and dark: no sideways scroll, no serious accessibility violation`, async ({
      page,
    }, testInfo) => {
      // About a minute on a quiet machine; the margin is for a loaded one.
      test.setTimeout(variant.everyPage ? 240_000 : 150_000);
      if (!world) throw new Error("beforeAll made no world");
      const { scheduleId, scheduleName, webhookId, webhookName, failedRunId, agentId } = world;
      const key = uniqueScriptKey("ux-walk-run");
      await scriptModel(key, [{ text: "# Reply to Dana\n\nYour order shipped on Monday." }]);

      await test.step("sign in", async () => {
        await page.goto("/sign-in");
        await settle(page, page.getByRole("button", { name: "Sign in" }));
        await checkPage(page, testInfo, "sign in");
        await page.getByLabel("Email").fill(DEMO_ADMIN.email);
        await page.getByLabel("Password").fill(DEMO_ADMIN.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page).toHaveURL(/\/skills$/);
      });
      await test.step("skills", async () => {
        await settle(page, heading(page, "Skills"));
        await checkPage(page, testInfo, "skills");
        await expectThemeFollowsTheSystem(page);
      });
      await visit(page, testInfo, "a skill", `/skills/${EMAIL_SKILL.slug}`, (page) =>
        heading(page, EMAIL_SKILL.name),
      );

      const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
      await test.step("run now dialog", async () => {
        await page.getByRole("button", { name: "Run now", exact: true }).click();
        await settle(page, dialog.getByLabel("Customer's email"));
        await checkPage(page, testInfo, "run now dialog", { axeScope: '[role="dialog"]' });
      });

      let runId = "";
      await test.step("a complete run", async () => {
        await dialog.getByLabel("Customer's email").fill(`Where is my order? ${scriptMarker(key)}`);
        await dialog.getByLabel("Customer name").fill("Dana");
        await dialog.getByLabel("Customer name").press("Enter");
        await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
        runId = /\/runs\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";
        await expect(page.getByTestId("run-status")).toContainText("Complete", {
          timeout: 20_000,
        });
        await settle(
          page,
          page.getByTestId("deliverable").getByRole("heading", { name: "Reply to Dana" }),
        );
        // The "started" toast leaves on its own (a pointer over it would hold it): axe once
        // read its contrast mid-fade, a state no reader sees.
        await page.mouse.move(0, 0);
        await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
        await checkPage(page, testInfo, "a complete run");
      });

      await visit(page, testInfo, "runs", "/runs", (page) =>
        page.locator(`a[href="/runs/${runId}"]`).filter({ visible: true }).first(),
      );
      await visit(page, testInfo, "schedules", "/schedules", (page) => heading(page, "Schedules"));
      await visit(page, testInfo, "new schedule", "/schedules/new", (page) =>
        page.getByRole("form", { name: "New schedule" }),
      );
      await visit(page, testInfo, "a schedule", `/schedules/${scheduleId}`, (page) =>
        heading(page, scheduleName),
      );
      await visit(page, testInfo, "webhooks", "/webhooks", (page) => heading(page, "Webhooks"));
      await visit(page, testInfo, "a webhook", `/webhooks/${webhookId}`, (page) =>
        page.getByRole("table", { name: "Deliveries" }).locator("[data-verdict]").first(),
      );
      await expect(heading(page, webhookName)).toBeVisible();

      if (!variant.everyPage) return;

      await visit(page, testInfo, "a failed run", `/runs/${failedRunId}`, (page) =>
        page.getByTestId("run-failure"),
      );
      await visit(page, testInfo, "agents", "/agents", (page) => heading(page, "Agents"));
      await visit(page, testInfo, "an agent", `/agents/${agentId}`, (page) =>
        page.getByRole("heading", { level: 1 }).first(),
      );
      // The configuration pages (issue 18): the editors an admin works in, and each list.
      await visit(page, testInfo, "new skill (editor)", "/skills/new", (page) =>
        page.getByRole("button", { name: "Create skill" }),
      );
      await visit(page, testInfo, "new agent", "/agents/new", (page) => heading(page, "New agent"));
      for (const [name, path] of [
        ["Templates", "/agents/templates"],
        ["Guardrails", "/agents/guardrails"],
        ["MCP servers", "/agents/mcp-servers"],
        ["Knowledge bases", "/agents/knowledge"],
      ] as const)
        await visit(page, testInfo, name.toLowerCase(), path, (page) => heading(page, name));
      await visit(page, testInfo, "alerts", "/alerts", (page) => heading(page, "Alerts"));
      await visit(page, testInfo, "settings: members and API keys", "/settings", (page) =>
        heading(page, "Settings"),
      );
      await visit(page, testInfo, "audit log", "/settings/audit", (page) =>
        heading(page, "Audit log"),
      );
      await visit(page, testInfo, "API reference", "/settings/api", (page) =>
        heading(page, "REST API reference"),
      );
      await test.step("command palette", async () => {
        await page.keyboard.press("ControlOrMeta+k");
        await settle(page, page.getByRole("dialog").getByRole("combobox"));
        await checkPage(page, testInfo, "command palette", { axeScope: '[role="dialog"]' });
        await page.keyboard.press("Escape");
      });
    });
  });
}
