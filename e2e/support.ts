import {
  expect,
  test as base,
  type APIRequestContext,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
} from "@playwright/test";
import superjson from "superjson";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { OUTPUT_DIR } from "./shard";

function consoleLine(message: ConsoleMessage): string {
  const { url, lineNumber } = message.location();
  return `console.${message.type()}: ${message.text()}${url ? ` (${url}:${lineNumber})` : ""}`;
}

/** What a test says of the console lines it causes on purpose. */
export type BrowserConsole = {
  /**
   * A line this test causes on purpose, such as a refused request (the browser's "Failed to
   * load resource" and the tRPC client's log of the error), matched against
   * `console.<type>: <text> (<url>:<line>)`.
   */
  expect(line: RegExp): void;
  /**
   * A request this test has the server refuse on purpose: the browser's "Failed to load
   * resource" line for `path` (e.g. `/api/setup`, `/api/trpc/members.invite`) with `status`,
   * and for a tRPC procedure the client's log of the error.
   */
  expectRefused(path: string, status: number): void;
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The `test` every spec uses. It fails a test when a page of any browser context it opens logs a
 * console error or warning (React's hydration mismatches, a resource answering 404, a CSP
 * violation) or throws an uncaught error, unless the test said it `browserConsole.expect`s it.
 */
export const test = base.extend<{ browserConsole: BrowserConsole }>({
  browserConsole: [
    async ({ browser }, use) => {
      const lines: string[] = [];
      const expected: RegExp[] = [];
      const watched = new WeakSet<BrowserContext>();
      const watch = (context: BrowserContext) => {
        if (watched.has(context)) return;
        watched.add(context);
        context.on("console", (message) => {
          if (message.type() === "error" || message.type() === "warning")
            lines.push(consoleLine(message));
        });
        context.on("weberror", (webError) =>
          lines.push(`pageerror on ${webError.page()?.url()}: ${webError.error().message}`),
        );
      };
      // The test's own context and any it opens itself (a second user, a second tab).
      for (const context of browser.contexts()) watch(context);
      browser.on("context", watch);
      await use({
        expect: (line) => void expected.push(line),
        expectRefused: (path, status) => {
          expected.push(
            new RegExp(`status of ${status} \\(.*\\) \\(https?://[^/]+${escapeRegExp(path)}[?:]`),
          );
          const procedure = /^\/api\/trpc\/(.+)$/.exec(path)?.[1];
          if (procedure)
            expected.push(new RegExp(`<< (query|mutation) #\\d+ %c${escapeRegExp(procedure)}%c`));
        },
      });
      browser.off("context", watch);
      const unexpected = lines.filter((line) => !expected.some((pattern) => pattern.test(line)));
      expect(unexpected, "the browser console stays clean").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** The demo admin's signed-in browser state, written once by auth.setup.ts. */
export const ADMIN_STATE = `${OUTPUT_DIR}/.auth/admin.json`;

export async function signInAsDemoAdmin(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/skills$/);
}

/**
 * For a tRPC call made outside the UI: names the session's active tenant, as a page rendered
 * now does (the server refuses a tenant-scoped call that names none).
 */
export async function tenantHeaders(request: APIRequestContext): Promise<Record<string, string>> {
  const body = (await (await request.get("/api/trpc/viewer.get")).json()) as {
    result?: { data: { json: { activeTenant: { id: string } | null } } };
  };
  const tenantId = body.result?.data.json.activeTenant?.id;
  return tenantId ? { [TENANT_HEADER]: tenantId } : {};
}

/** Starts a run through the same tRPC endpoint the UI uses, with the page's session. */
export async function startRunThroughApi(
  page: Page,
  input: { skillSlug: string; inputs: Record<string, unknown> },
): Promise<string> {
  const response = await page.request.post("/api/trpc/runs.start", {
    data: superjson.serialize(input),
    headers: { "content-type": "application/json", ...(await tenantHeaders(page.request)) },
  });
  expect(response.status(), await response.text()).toBe(200);
  const body = (await response.json()) as { result: { data: { json: { runId: string } } } };
  return body.result.data.json.runId;
}

export const runIdOf = (url: string) => /\/runs\/([0-9a-f-]{36})/.exec(url)?.[1] ?? "";

export const EMAIL_SKILL = { slug: "customer-email-reply", name: "Customer email reply" };

/** Marks the page's document, so that a spec can tell a live update from a reload (which drops the mark). */
export const markDocument = (page: Page) =>
  page.evaluate(() => Object.assign(window, { __sameDocument: true }));
export const isSameDocument = (page: Page) =>
  page.evaluate(() => "__sameDocument" in window && window.__sameDocument === true);

/** The value a page's definition list gives for `term` (the run summary, a config list). */
export const definitionOf = (page: Page, term: string) =>
  page.locator("dt", { hasText: new RegExp(`^${term}$`) }).locator("+ dd");
