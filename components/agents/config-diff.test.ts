import { describe, expect, it } from "vitest";
import { configDiff, type ResolvedConfig } from "./config-diff";

const config: ResolvedConfig = {
  agent: { id: "a", name: "Ops" },
  template: { id: "t", name: "Analyst" },
  model: "openai:gpt-4.1-mini",
  modelSource: "deployment default",
  systemPrompt: "Be precise.",
  skills: [
    { id: "s1", slug: "digest", name: "Digest" },
    { id: "s2", slug: "prep", name: "Meeting prep" },
  ],
  tools: ["read_skill_reference", "current_time"],
  blockedTools: [],
  mcpServers: [],
  knowledgeBases: [{ id: "k", name: "Handbook" }],
  guardrail: null,
  limits: { maxSteps: 8, timeoutSeconds: 300 },
  currentUser: null,
};
const row = (rows: ReturnType<typeof configDiff>, label: string) =>
  rows.find((candidate) => candidate.label === label);

describe("configDiff", () => {
  it("marks nothing when the draft resolves like the saved agent", () => {
    expect(configDiff(config, { ...config }).filter((line) => line.changed)).toEqual([]);
  });

  it("marks the changed settings and names the list items a save adds and removes", () => {
    const rows = configDiff(config, {
      ...config,
      model: "anthropic:claude-sonnet-4-5",
      modelSource: "agent",
      skills: [
        { id: "s2", slug: "prep", name: "Meeting prep" },
        { id: "s3", slug: "notes", name: "Release notes" },
      ],
      limits: { maxSteps: 8, timeoutSeconds: 300 },
    });
    expect(rows.filter((line) => line.changed).map((line) => line.label)).toEqual([
      "Model",
      "Skills",
    ]);
    expect(row(rows, "Model")).toMatchObject({
      saved: "openai:gpt-4.1-mini (from the deployment default)",
      draft: "anthropic:claude-sonnet-4-5 (from the agent)",
      added: [],
      removed: [],
    });
    expect(row(rows, "Skills")).toMatchObject({
      saved: "Digest, Meeting prep",
      draft: "Meeting prep, Release notes",
      added: ["Release notes"],
      removed: ["Digest"],
    });
    expect(row(rows, "Guardrail")).toMatchObject({ saved: "none", draft: "none", changed: false });
  });

  it("shows a new agent's every setting as new, with nothing to compare", () => {
    const rows = configDiff(null, config);
    expect(rows.every((line) => line.saved === null && line.changed)).toBe(true);
    expect(row(rows, "Skills")).toMatchObject({ draft: "Digest, Meeting prep", added: [] });
  });
});
