import { describe, expect, it } from "vitest";
import { preselectAgent, type AgentForRunNow } from "./run-now-agent";

const agent = (name: string, skillIds: string[], isDefault = false): AgentForRunNow => ({
  id: name.toLowerCase().replace(/\s/g, "-"),
  name,
  isDefault,
  skillIds,
});
const ops = agent("Ops Assistant", ["digest", "postmortem"], true);
const captain = agent("Release Captain", ["release-notes", "postmortem"]);
const writer = agent("Support Writer", ["email"]);

describe("preselectAgent", () => {
  it("picks the one agent the skill is assigned to, not the tenant's default", () => {
    expect(preselectAgent("release-notes", [ops, captain, writer])).toEqual({
      agentId: "release-captain",
      why: "Release Captain is the agent this skill is assigned to.",
    });
  });

  it("picks the tenant's default among several assigned agents", () => {
    expect(preselectAgent("postmortem", [ops, captain, writer])).toEqual({
      agentId: "ops-assistant",
      why: "This skill is assigned to Ops Assistant and Release Captain; Ops Assistant is the tenant's default.",
    });
  });

  it("falls back to the tenant's default, saying why", () => {
    expect(preselectAgent("contracts", [ops, captain])).toEqual({
      agentId: "ops-assistant",
      why: "No agent is assigned this skill; the tenant's default, Ops Assistant, runs it.",
    });
    const both = [agent("A", ["x"]), agent("B", ["x"]), agent("C", [], true)];
    expect(preselectAgent("x", both)).toEqual({
      agentId: "c",
      why: "This skill is assigned to A and B; pick one, or run it with the tenant's default, C.",
    });
    expect(preselectAgent("x", [])).toBeNull();
  });

  it("picks none when the tenant has no default and the skill no single agent", () => {
    expect(preselectAgent("contracts", [captain, writer])).toBeNull();
    expect(preselectAgent("x", [agent("A", ["x"]), agent("B", ["x"])])).toBeNull();
  });
});
