import { expect, type APIRequestContext, type Page } from "@playwright/test";
import superjson from "superjson";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";

/** The demo admin's signed-in browser state, written once by auth.setup.ts. */
export const ADMIN_STATE = "test-results/.auth/admin.json";

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
