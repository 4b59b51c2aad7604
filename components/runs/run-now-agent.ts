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
 * The agent a skill runs with unless the operator picks another, as the server picks one for a
 * run that names none: the tenant's default if it has the skill, else the one agent that has it.
 * An agent runs only its own skills, so with several (none the default) the operator picks among
 * them, and with none nobody can run the skill yet.
 */
export function preselectAgent(skillId: string, agents: AgentForRunNow[]): AgentChoice | null {
  const assigned = agents.filter((agent) => agent.skillIds.includes(skillId));
  const assignedDefault = assigned.find((agent) => agent.isDefault);
  const [only] = assigned;
  if (assignedDefault && assigned.length > 1)
    return {
      agentId: assignedDefault.id,
      why: `This skill is assigned to ${names(assigned)}; ${assignedDefault.name} is the tenant's default.`,
    };
  if (assigned.length === 1 && only)
    return { agentId: only.id, why: `${only.name} is the agent this skill is assigned to.` };
  return null;
}
