/**
 * Issue 22's Done-when: a run calls a gated MCP tool (the fake MCP server, real protocol) with
 * the scripted model → the run page and the inbox show it waiting with the tool's arguments →
 * approve → the MCP server records exactly one call and the run completes; a second run →
 * reject with a reason → the model's next request carries it, no tool call; a third waits past
 * a short timeout → failed / approval_timeout.
 */
import type { APIRequestContext, Page } from "@playwright/test";
import superjson from "superjson";
import { startFakeMcpServer } from "./fixtures/mcp-server";
import { modelCalls, scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, EMAIL_SKILL, tenantHeaders } from "./support";

test.use({ storageState: ADMIN_STATE });

async function trpc<T>(request: APIRequestContext, path: string, input: unknown, query = false) {
  const headers = await tenantHeaders(request);
  const response = query
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

/**
 * The agents this spec made: deleted at its end, since a second agent owning the email skill
 * makes later specs' starts without an agent fall back to the tenant's default (which lacks it).
 */
const gatedAgents: string[] = [];

/** An agent whose template gates the fake server's `lookup_ticket`, waiting `timeoutSeconds`. */
async function gatedAgent(page: Page, mcpUrl: string, timeoutSeconds: number) {
  const suffix = uniqueScriptKey("gate").slice(-8);
  const server = await trpc<{ id: string }>(page.request, "mcpServers.create", {
    name: `tickets-${suffix}`,
    url: mcpUrl,
  });
  const template = await trpc<{ id: string }>(page.request, "templates.create", {
    name: `Gated ${suffix}`,
    description: "",
    systemPrompt: "You answer customers.",
    defaultModel: null,
    blockedTools: [],
    guardrailId: null,
    maxSteps: 6,
    timeoutSeconds: 120,
    approvalTools: [`tickets-${suffix}:lookup_*`],
    approveDeliverable: false,
    approvalTimeoutSeconds: timeoutSeconds,
  });
  const skill = await trpc<{ id: string }>(
    page.request,
    "skills.get",
    { slug: EMAIL_SKILL.slug },
    true,
  );
  const agent = await trpc<{ id: string }>(page.request, "agents.create", {
    name: `Gated agent ${suffix}`,
    description: "",
    templateId: template.id,
    modelOverride: null,
    skillIds: [skill.id],
    mcpServerIds: [server.id],
    knowledgeBaseIds: [],
    pairedUserId: null,
  });
  gatedAgents.push(agent.id);
  return agent.id;
}

async function startGatedRun(page: Page, agentId: string, key: string) {
  const run = await trpc<{ runId: string }>(page.request, "runs.start", {
    skillSlug: EMAIL_SKILL.slug,
    agentId,
    inputs: { customerName: "Dana", customerEmail: `Where is ticket T-42? ${scriptMarker(key)}` },
  });
  return run.runId;
}

test("a gated MCP tool waits for approval; approve, reject with a reason, time out", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const mcp = await startFakeMcpServer();
  try {
    const agentId = await gatedAgent(page, mcp.url, 3600);

    // 1. Approve: the tool runs exactly once and the run completes.
    const approveKey = uniqueScriptKey("approve");
    await scriptModel(approveKey, [
      { toolCalls: [{ name: "lookup_ticket", arguments: { id: "T-42" } }] },
      { text: "# Ticket T-42\n\nIt is on its way." },
    ]);
    const approvedRun = await startGatedRun(page, agentId, approveKey);
    await page.goto(`/runs/${approvedRun}`);
    const card = page.getByTestId("approval-card");
    await expect(card).toContainText("lookup_ticket", { timeout: 20_000 });
    await expect(card).toContainText('"id": "T-42"');
    await page.goto("/approvals");
    await expect(page.getByRole("link", { name: /Approvals/ })).toContainText(/\d/);
    const inboxCard = page.getByTestId("approval-card").filter({
      has: page.locator(`a[href="/runs/${approvedRun}"]`),
    });
    await expect(inboxCard).toContainText('"id": "T-42"');
    expect(mcp.toolCalls).toHaveLength(0);
    await inboxCard.getByRole("button", { name: "Approve", exact: true }).click();
    await page.goto(`/runs/${approvedRun}`);
    await expect(page.getByTestId("deliverable")).toContainText("It is on its way", {
      timeout: 20_000,
    });
    expect(mcp.toolCalls).toEqual([{ name: "lookup_ticket", arguments: { id: "T-42" } }]);
    expect((await modelCalls(approveKey)).calls).toBe(2);

    // 2. Reject with a reason: the model is told; the tool is never called.
    const rejectKey = uniqueScriptKey("reject");
    await scriptModel(rejectKey, [
      { toolCalls: [{ name: "lookup_ticket", arguments: { id: "T-43" } }] },
      { text: "# Sorry\n\nI cannot look that up." },
    ]);
    const rejectedRun = await startGatedRun(page, agentId, rejectKey);
    await page.goto(`/runs/${rejectedRun}`);
    await page.getByRole("button", { name: "Reject…" }).click({ timeout: 20_000 });
    await page.getByLabel(/Why is it rejected/).fill("Tickets are private this week.");
    await page.getByRole("button", { name: "Reject", exact: true }).click();
    await expect(page.getByTestId("deliverable")).toContainText("I cannot look that up", {
      timeout: 20_000,
    });
    const rejected = await modelCalls(rejectKey);
    expect(rejected.calls).toBe(2);
    expect(JSON.stringify(rejected.requests[1]?.messages)).toContain(
      "Tickets are private this week.",
    );
    expect(mcp.toolCalls).toHaveLength(1);

    // 3. Nobody decides within 10 s: failed / approval_timeout.
    const timeoutAgent = await gatedAgent(page, mcp.url, 10);
    const timeoutKey = uniqueScriptKey("timeout");
    await scriptModel(timeoutKey, [
      { toolCalls: [{ name: "lookup_ticket", arguments: { id: "T-44" } }] },
    ]);
    const timedOutRun = await startGatedRun(page, timeoutAgent, timeoutKey);
    await page.goto(`/runs/${timedOutRun}`);
    await expect(
      page.getByText("Nobody decided on the run's gated action in time").first(),
    ).toBeVisible({
      timeout: 40_000,
    });
    expect(mcp.toolCalls).toHaveLength(1);
  } finally {
    await mcp.close();
    for (const agentId of gatedAgents.splice(0))
      await trpc(page.request, "agents.delete", { agentId });
  }
});
