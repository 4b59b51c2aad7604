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

  it("picks none when nobody has the skill, or several have it and none is the default: an agent runs only its own skills", () => {
    expect(preselectAgent("contracts", [ops, captain])).toBeNull();
    expect(
      preselectAgent("x", [agent("A", ["x"]), agent("B", ["x"]), agent("C", [], true)]),
    ).toBeNull();
    expect(preselectAgent("x", [])).toBeNull();
    expect(preselectAgent("contracts", [captain, writer])).toBeNull();
  });
});
