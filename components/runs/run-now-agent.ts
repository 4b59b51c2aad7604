/** An agent as Run now offers it: whether it is the tenant's default, and the skills assigned to it. */
export type AgentForRunNow = { id: string; name: string; isDefault: boolean; skillIds: string[] };

/** The agent Run now preselects, and a sentence saying why. */
export type AgentChoice = { agentId: string; why: string };

const names = (agents: AgentForRunNow[]) =>
  agents.length <= 2
    ? agents.map((agent) => agent.name).join(" and ")
    : `${agents
        .slice(0, -1)
        .map((agent) => agent.name)
        .join(", ")} and ${agents.at(-1)?.name ?? ""}`;

/**
 * The agent a skill runs with unless the operator picks another: the one the skill is assigned
 * to; among several, the tenant's default if it is one of them; otherwise the tenant's default.
 * With no default and no single assignee it picks none: an arbitrary agent would run silently.
 */
export function preselectAgent(skillId: string, agents: AgentForRunNow[]): AgentChoice | null {
  const tenantDefault = agents.find((agent) => agent.isDefault);
  const assigned = agents.filter((agent) => agent.skillIds.includes(skillId));
  const [only] = assigned;
  if (assigned.length === 1 && only)
    return { agentId: only.id, why: `${only.name} is the agent this skill is assigned to.` };
  const assignedDefault = assigned.find((agent) => agent.isDefault);
  if (assignedDefault)
    return {
      agentId: assignedDefault.id,
      why: `This skill is assigned to ${names(assigned)}; ${assignedDefault.name} is the tenant's default.`,
    };
  if (!tenantDefault) return null;
  return {
    agentId: tenantDefault.id,
    why:
      assigned.length > 1
        ? `This skill is assigned to ${names(assigned)}; pick one, or run it with the tenant's default, ${tenantDefault.name}.`
        : `No agent is assigned this skill; the tenant's default, ${tenantDefault.name}, runs it.`,
  };
}
