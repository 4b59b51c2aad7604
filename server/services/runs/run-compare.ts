import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { approvalSummary } from "@/lib/approval-policy";
import type { CompareRunsInput } from "@/lib/schemas/run-compare";
import { redactSnapshotUrls, type StoredConfigSnapshot } from "@/server/agent/redact-url";
import type { Database } from "@/server/db/client";
import { agents, skillRuns, skills } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { RunNotFoundError } from "./run-errors";

/** Two runs of different skills: their inputs and deliverables answer different questions. */
export class RunsOfDifferentSkillsError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "runs_of_different_skills";
  constructor(a: string, b: string) {
    super(
      `Only runs of the same skill can be compared: one is a run of "${a}", the other of "${b}".`,
    );
  }
}

/** One line of what a run resolved, as the compare page lines them up. */
export type ConfigFact = { label: string; value: string };

const listOrNone = (items: string[]) => (items.length ? items.join(", ") : "none");

/**
 * What a run ran with, as label/value lines in a fixed order, so two runs' lines pair up and a
 * changed value shows as a changed line. An older snapshot without a field says "—".
 */
export function configFactsOf(
  snapshot: StoredConfigSnapshot | null,
  skillVersion: string,
): ConfigFact[] {
  const facts: ConfigFact[] = [{ label: "Skill version", value: skillVersion.slice(0, 12) }];
  if (!snapshot) return [...facts, { label: "Config", value: "not resolved" }];
  const { guardrail, limits } = snapshot;
  return [
    ...facts,
    { label: "Agent", value: snapshot.agent?.name ?? "—" },
    {
      label: "Model",
      value: snapshot.model
        ? `${snapshot.model}${snapshot.modelSource ? ` (${snapshot.modelSource})` : ""}`
        : "—",
    },
    { label: "Template", value: snapshot.template?.name ?? "—" },
    { label: "Tools offered", value: listOrNone(snapshot.tools ?? []) },
    { label: "Blocked tools", value: listOrNone(snapshot.blockedTools ?? []) },
    {
      label: "MCP servers",
      value: listOrNone(
        (snapshot.mcpServers ?? []).map((server) => `${server.name} (${server.url})`),
      ),
    },
    {
      label: "Knowledge bases",
      value: listOrNone((snapshot.knowledgeBases ?? []).map((base) => base.name)),
    },
    { label: "Guardrail", value: guardrail ? `${guardrail.name} (${guardrail.source})` : "none" },
    {
      label: "Limits",
      value: limits ? `${limits.maxSteps} steps · ${limits.timeoutSeconds} s` : "—",
    },
    { label: "Needs approval", value: approvalSummary(snapshot.approval) },
  ];
}

/**
 * Two runs of one skill side by side: inputs, what each resolved (its config snapshot, URLs
 * redacted as on the run page) and deliverable. A run that is not the tenant's is RunNotFoundError
 * exactly as an unknown one is; runs of different skills are refused.
 */
export async function compareRuns(db: Database, tenantId: string, input: CompareRunsInput) {
  const rows = await db
    .select({
      id: skillRuns.id,
      status: skillRuns.status,
      source: skillRuns.source,
      parentRunId: skillRuns.parentRunId,
      skillVersion: skillRuns.skillVersion,
      inputs: skillRuns.inputs,
      configSnapshot: skillRuns.configSnapshot,
      deliverable: skillRuns.deliverable,
      /** Set when retention cleared the deliverable: the page says so instead of diffing. */
      deliverableExpiredAt: skillRuns.deliverableExpiredAt,
      failureCode: skillRuns.failureCode,
      failureReason: skillRuns.failureReason,
      createdAt: skillRuns.createdAt,
      finishedAt: skillRuns.finishedAt,
      skill: {
        id: skills.id,
        slug: skills.slug,
        name: skills.name,
        inputsSchema: skills.inputsSchema,
      },
      agent: { id: agents.id, name: agents.name },
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, eq(agents.id, skillRuns.agentId))
    .where(and(eq(skillRuns.tenantId, tenantId), inArray(skillRuns.id, [input.a, input.b])));
  const sideOf = (runId: string) => {
    const row = rows.find((candidate) => candidate.id === runId);
    if (!row) throw new RunNotFoundError(runId);
    const { skill, configSnapshot, deliverable, ...run } = row;
    const snapshot = redactSnapshotUrls(configSnapshot);
    return {
      skill,
      run: {
        ...run,
        configFacts: configFactsOf(snapshot, run.skillVersion),
        deliverable: deliverable?.payload ?? null,
      },
    };
  };
  const a = sideOf(input.a);
  const b = sideOf(input.b);
  if (a.skill.id !== b.skill.id) throw new RunsOfDifferentSkillsError(a.skill.name, b.skill.name);
  return { skill: a.skill, a: a.run, b: b.run };
}
