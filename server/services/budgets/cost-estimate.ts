import "server-only";
import { and, desc, eq, isNotNull, isNull, or, sql } from "drizzle-orm";
import { quantile } from "@/lib/budgets";
import { costAt, priceOf } from "@/server/agent/prices";
import type { Database, Transaction } from "@/server/db/client";
import { agentTemplates, agents, skillRuns, skills } from "@/server/db/schema";
import { env } from "@/server/env";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { SkillNotFoundError } from "@/server/services/runs/run-errors";

/** How many of the skill's latest complete runs an estimate reads. */
export const ESTIMATE_SAMPLE_RUNS = 20;

/**
 * What a run of a skill by an agent will likely cost: the p50 and p90 of the skill's latest
 * complete runs, each run's tokens priced at the agent's model (whatever model those runs used).
 * `runs` is how many runs it rests on; without runs, or for an unpriced model, no figure.
 */
export type CostEstimate = {
  model: string | null;
  priced: boolean;
  runs: number;
  p50Usd: number | null;
  p90Usd: number | null;
};

/** The model an agent runs with (its override, else its template's, else the deployment's); null: no such agent. */
export async function agentModel(
  db: Database | Transaction,
  tenantId: string,
  agentId: string | null,
): Promise<{ agentId: string; model: string } | null> {
  const [row] = await db
    .select({
      id: agents.id,
      override: agents.modelOverride,
      template: agentTemplates.defaultModel,
    })
    .from(agents)
    .innerJoin(agentTemplates, eq(agentTemplates.id, agents.templateId))
    .where(
      and(
        eq(agents.tenantId, tenantId),
        agentId ? eq(agents.id, agentId) : eq(agents.isDefault, true),
      ),
    );
  if (!row) return null;
  return { agentId: row.id, model: row.override ?? row.template ?? env.SKILLRUN_DEFAULT_MODEL };
}

/** The token counts of the skill's latest complete runs, newest first (the skill history index). */
async function recentUsage(db: Database | Transaction, tenantId: string, skillId: string) {
  return db
    .select({
      inputTokens: skillRuns.inputTokens,
      outputTokens: skillRuns.outputTokens,
      cacheReadTokens: skillRuns.cacheReadTokens,
      cacheWriteTokens: skillRuns.cacheWriteTokens,
      reasoningTokens: skillRuns.reasoningTokens,
    })
    .from(skillRuns)
    .where(
      and(
        eq(skillRuns.tenantId, tenantId),
        eq(skillRuns.skillId, skillId),
        eq(skillRuns.status, "complete"),
        isNotNull(skillRuns.inputTokens),
      ),
    )
    .orderBy(sql`${skillRuns.createdAt} desc nulls first`, desc(skillRuns.id))
    .limit(ESTIMATE_SAMPLE_RUNS);
}

/**
 * What a start of a skill without priced history reserves against a budget: a long turn's tokens
 * (100,000 in, 10,000 out) at the model's price, about $0.06 at openai:gpt-4.1-mini. Not 0, so
 * concurrent first starts near the hard limit cannot overshoot it without bound. An unpriced
 * model reserves nothing: its runs never cost anything.
 */
export const NO_HISTORY_RESERVATION_TOKENS = {
  inputTokens: 100_000,
  outputTokens: 10_000,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
};

/** A start's reservation in USD: its estimate's p90, else the no-history reservation. */
export function reservationUsd(estimate: CostEstimate): number {
  if (estimate.p90Usd !== null) return estimate.p90Usd;
  const price = estimate.model ? priceOf(estimate.model) : null;
  return price ? costAt(price, NO_HISTORY_RESERVATION_TOKENS) : 0;
}

/** The estimate for a model and a skill, from the skill's recent runs. */
export async function estimateForModel(
  db: Database | Transaction,
  tenantId: string,
  skillId: string,
  model: string | null,
): Promise<CostEstimate> {
  const price = model ? priceOf(model) : null;
  const usage = await recentUsage(db, tenantId, skillId);
  const costs = price
    ? usage.map((run) =>
        costAt(price, {
          inputTokens: run.inputTokens ?? 0,
          outputTokens: run.outputTokens ?? 0,
          cacheReadTokens: run.cacheReadTokens ?? 0,
          cacheWriteTokens: run.cacheWriteTokens ?? 0,
          reasoningTokens: run.reasoningTokens ?? 0,
        }),
      )
    : [];
  return {
    model,
    priced: price !== null,
    runs: usage.length,
    p50Usd: quantile(costs, 0.5),
    p90Usd: quantile(costs, 0.9),
  };
}

/**
 * The Run now dialog's and the schedule editor's estimate: the tenant's skill (or a built-in
 * one) run by the named agent, or by the tenant's default agent when none is named.
 */
export async function estimateRunCost(
  db: Database,
  input: { tenantId: string; skillId: string; agentId?: string | null },
): Promise<CostEstimate> {
  const [skill] = await db
    .select({ id: skills.id })
    .from(skills)
    .where(
      and(
        eq(skills.id, input.skillId),
        or(isNull(skills.tenantId), eq(skills.tenantId, input.tenantId)),
        isNull(skills.deletedAt),
      ),
    );
  if (!skill) throw new SkillNotFoundError(input.skillId);
  const agent = await agentModel(db, input.tenantId, input.agentId ?? null);
  if (input.agentId && !agent) throw new AgentNotFoundError(input.agentId);
  return estimateForModel(db, input.tenantId, skill.id, agent?.model ?? null);
}
