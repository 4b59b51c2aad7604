import type { APIRequestContext, Page } from "@playwright/test";
import superjson from "superjson";
import { uniqueScriptKey } from "./fixtures/model-script";
import {
  ADMIN_STATE,
  definitionOf,
  EMAIL_SKILL,
  expect,
  signInAsDemoAdmin,
  tenantHeaders,
  test,
} from "./support";

/** A tRPC call through the endpoint the UI uses, with the session of `request`. */
async function trpc<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<T> {
  const headers = await tenantHeaders(request);
  const response =
    kind === "query"
      ? await request.get(
          `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
          { headers },
        )
      : await request.post(`/api/trpc/${path}`, {
          data: superjson.serialize(input),
          headers: { ...headers, "content-type": "application/json" },
        });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

type AgentRow = { id: string; name: string; isDefault: boolean };

/**
 * Puts the demo back as `e2e/agents.spec.ts` expects it (Ops Assistant the default, these
 * agents and schedules gone), through tRPC, whether or not the test got that far.
 */
async function restoreDemo(
  request: APIRequestContext,
  made: { agentNames: string[]; scheduleIds: string[] },
) {
  const headers = await tenantHeaders(request);
  for (const scheduleId of made.scheduleIds)
    // Already deleted by the test is fine: only this cleanup's own failures matter.
    await request.post("/api/trpc/schedules.delete", {
      data: superjson.serialize({ scheduleId }),
      headers: { ...headers, "content-type": "application/json" },
    });
  const agents = await trpc<AgentRow[]>(request, "agents.list", undefined, "query");
  const ops = agents.find((agent) => agent.name === "Ops Assistant");
  if (ops && !ops.isDefault) await trpc(request, "agents.setDefault", { agentId: ops.id });
  for (const agent of agents.filter((row) => made.agentNames.includes(row.name)))
    await trpc(request, "agents.delete", { agentId: agent.id });
}

const agentIdOf = (page: Page) => /\/agents\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";

/** Makes an agent the default through its page's confirmed action. */
async function makeDefault(page: Page, name: string) {
  await page.goto("/agents");
  await page
    .getByRole("table", { name: "Agents" })
    .getByRole("link", { name, exact: true })
    .click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Make default" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText(`Make ${name} the default agent?`);
  await confirm.getByRole("button", { name: "Make default" }).click();
  await expect(page.getByText("Default agent", { exact: true })).toBeVisible();
}

test.describe("as the demo admin", () => {
  test.use({ storageState: ADMIN_STATE });

  let made: { agentNames: string[]; scheduleIds: string[] } = { agentNames: [], scheduleIds: [] };
  test.beforeEach(() => {
    made = { agentNames: [], scheduleIds: [] };
  });
  test.afterEach(async ({ page }) => {
    await restoreDemo(page.request, made);
  });

  test("an admin creates an agent with a template and two skills, sees what saving would change, saves it and makes it the default", async ({
    page,
  }) => {
    const name = `Digest desk ${uniqueScriptKey("agent").slice(-8)}`;
    made.agentNames.push(name);
    await page.goto("/agents");
    await page.getByRole("link", { name: "New agent" }).click();
    await expect(page).toHaveURL(/\/agents\/new$/);
    const form = page.getByRole("form", { name: "New agent" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Description", { exact: true }).fill("Weekly digests for the ops team.");
    await form
      .getByLabel("Template", { exact: true })
      .selectOption({ label: "Operations analyst" });
    // Providers without credentials on this deployment say so in the picker.
    await expect(
      form
        .getByLabel("Model", { exact: true })
        .locator("option", { hasText: "anthropic:claude-sonnet-4-5" }),
    ).toHaveText("anthropic:claude-sonnet-4-5 — not configured");
    const skills = form.getByRole("group", { name: "Skills" });
    await skills.getByLabel("Weekly status digest").check();
    await skills.getByLabel("Meeting prep brief").check();

    // Before it exists, the preview says what it would run with.
    await expect(
      page.getByRole("heading", { name: "What this agent would run with" }),
    ).toBeVisible();
    await expect(definitionOf(page, "Skills")).toHaveText(
      "Meeting prep brief, Weekly status digest",
    );
    await expect(definitionOf(page, "Template")).toHaveText("Operations analyst");
    await form.getByRole("button", { name: "Create agent" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    await expect(page.getByText("Weekly digests for the ops team.")).toBeVisible();
    await expect(definitionOf(page, "Skills")).toHaveText(
      "Meeting prep brief, Weekly status digest",
    );

    // An unsaved edit shows what saving would change, marked, before anything is saved.
    const editor = page.getByRole("form", { name: `Edit ${name}` });
    await editor.getByRole("group", { name: "Skills" }).getByLabel("Meeting prep brief").uncheck();
    await editor.getByRole("group", { name: "Skills" }).getByLabel("Release notes").check();
    await expect(page.getByRole("heading", { name: "What saving would change" })).toBeVisible();
    const changes = page.getByRole("table", { name: "What saving would change" });
    const skillsRow = changes
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: /^Skills/ }) });
    await expect(skillsRow).toHaveAttribute("data-changed", "true");
    await expect(skillsRow).toContainText("Changed");
    await expect(skillsRow.getByRole("cell").first()).toHaveText(
      "Meeting prep brief, Weekly status digest",
    );
    await expect(skillsRow.getByRole("cell").last()).toContainText("Added: Release notes");
    await expect(skillsRow.getByRole("cell").last()).toContainText("Removed: Meeting prep brief");
    await expect(page.getByText("Saving changes 1 setting a run uses.")).toBeVisible();
    await expect(
      changes.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^Template/ }) }),
    ).not.toHaveAttribute("data-changed");

    // Leaving with unsaved changes asks first.
    await page.getByRole("navigation").getByRole("link", { name: "Agents" }).click();
    const leave = page.getByRole("alertdialog");
    await expect(leave).toContainText("Leave without saving?");
    await leave.getByRole("button", { name: "Keep editing" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);

    await editor.getByRole("button", { name: "Save agent" }).click();
    await expect(page.getByText("Agent saved")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Effective runtime config" })).toBeVisible();
    await expect(definitionOf(page, "Skills")).toHaveText("Release notes, Weekly status digest");

    await makeDefault(page, name);
    await page.goto("/agents");
    const rows = page.getByRole("table", { name: "Agents" }).getByRole("row");
    await expect(
      rows.filter({ hasText: name }).getByText("Default", { exact: true }),
    ).toBeVisible();
    await expect(rows.getByText("Default", { exact: true })).toHaveCount(1);

    // Back as it was: Ops Assistant the default, and the new agent deleted after a confirmation.
    await makeDefault(page, "Ops Assistant");
    await page.goto("/agents");
    await page.getByRole("table", { name: "Agents" }).getByRole("link", { name }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("alertdialog");
    await expect(confirm).toContainText(`Delete ${name}?`);
    await confirm.getByRole("button", { name: "Delete agent" }).click();
    await expect(page).toHaveURL(/\/agents$/);
    await expect(
      page.getByRole("table", { name: "Agents" }).getByRole("link", { name }),
    ).toHaveCount(0);
  });

  test("a new agent's own approval policy replaces its template's in the preview", async ({
    page,
  }) => {
    await page.goto("/agents/new");
    const form = page.getByRole("form", { name: "New agent" });
    await form
      .getByLabel("Template", { exact: true })
      .selectOption({ label: "Operations analyst" });
    await expect(definitionOf(page, "Needs approval")).toHaveText("none (from the template)");
    await form.getByLabel("Its own approval policy instead of the template's").check();
    await form.getByLabel("Tools needing approval").fill("send_email");
    await expect(definitionOf(page, "Needs approval")).toHaveText(
      "send_email · 24 h timeout (from the agent)",
    );
  });

  test("an agent a schedule uses cannot be deleted: the dialog names the schedule", async ({
    page,
  }) => {
    await page.goto("/agents");
    await page
      .getByRole("table", { name: "Agents" })
      .getByRole("link", { name: "Support Writer", exact: true })
      .click();
    made.agentNames.push("Copy of Support Writer");
    await page.getByRole("button", { name: "Duplicate" }).click();
    await expect(
      page.getByRole("heading", { name: "Copy of Support Writer", level: 1 }),
    ).toBeVisible();
    const agentId = agentIdOf(page);
    await expect(definitionOf(page, "Skills")).toHaveText(EMAIL_SKILL.name);

    const skill = await trpc<{ id: string }>(
      page.request,
      "skills.get",
      { slug: EMAIL_SKILL.slug },
      "query",
    );
    const scheduleName = `Uses the copy ${uniqueScriptKey("sched").slice(-6)}`;
    const schedule = await trpc<{ id: string }>(page.request, "schedules.create", {
      name: scheduleName,
      skillId: skill.id,
      agentId,
      inputs: { customerEmail: { kind: "literal", value: "A question for the copy" } },
      cron: "0 9 * * 1",
      timezone: "UTC",
      overlapPolicy: "skip",
      enabled: false,
    });
    made.scheduleIds.push(schedule.id);
    await page.reload();
    await page.getByRole("button", { name: "Delete" }).click();
    const blocked = page.getByRole("alertdialog");
    await expect(blocked).toContainText("Copy of Support Writer cannot be deleted yet");
    await expect(blocked.getByRole("list", { name: "Used by" })).toContainText(
      `Schedule ${scheduleName}`,
    );
    await expect(blocked.getByRole("button", { name: /Delete/ })).toHaveCount(0);
    await blocked.getByRole("button", { name: "Close" }).click();
    await expect(
      page.getByRole("heading", { name: "Copy of Support Writer", level: 1 }),
    ).toBeVisible();

    // Without the schedule it can go.
    await trpc(page.request, "schedules.delete", { scheduleId: schedule.id });
    await page.reload();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete agent" }).click();
    await expect(page).toHaveURL(/\/agents$/);
    await expect(
      page
        .getByRole("table", { name: "Agents" })
        .getByRole("link", { name: "Copy of Support Writer" }),
    ).toHaveCount(0);
  });
});

test.describe("as a viewer", () => {
  // A session of its own: switching tenants moves the session, which the other specs share.
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a viewer sees the agents and an agent's config, read-only", async ({ page }) => {
    await signInAsDemoAdmin(page);
    // The demo admin is a viewer of Globex.
    await page.getByRole("button", { name: "Tenant: Acme Operations" }).click();
    await page.getByRole("menuitemradio", { name: /Globex Research/ }).click();
    await expect(page.getByRole("button", { name: "Tenant: Globex Research" })).toBeVisible();
    await page.goto("/agents");
    const agents = page.getByRole("table", { name: "Agents" });
    await expect(agents.getByRole("link", { name: "Globex Researcher" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New agent" })).toHaveCount(0);

    await agents.getByRole("link", { name: "Globex Researcher" }).click();
    await expect(page.getByRole("heading", { name: "Globex Researcher", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Effective runtime config" })).toBeVisible();
    await expect(definitionOf(page, "Template")).toHaveText("Researcher");
    await expect(page.getByRole("form")).toHaveCount(0);
    for (const action of ["Save agent", "Make default", "Duplicate", "Delete"])
      await expect(page.getByRole("button", { name: action })).toHaveCount(0);

    await page.goto("/agents/new");
    await expect(page.getByTestId("needs-role")).toContainText(
      "Creating an agent needs the admin role",
    );
  });
});
