import { TriangleAlert } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import type { SkillProblem } from "@/lib/enums";

const SHORT: Record<SkillProblem, string> = {
  deleted: "Skill deleted",
  disabled: "Skill disabled",
  not_enabled: "Agent may not run skill",
};

const LONG: Record<SkillProblem, (skill: string, owner: string) => string> = {
  deleted: (skill, owner) =>
    `The skill "${skill}" was deleted, so this ${owner} cannot start runs. Edit it to run another skill.`,
  disabled: (skill, owner) =>
    `The skill "${skill}" is disabled, so this ${owner} cannot start runs until an admin enables it.`,
  not_enabled: (skill, owner) =>
    `The agent this ${owner} runs with may not run "${skill}": it is not among the agent's skills, so its runs fail with skill_not_enabled. Give the agent the skill, or choose another agent.`,
};

/** In a schedule or webhook list: why its skill cannot run, in a word. */
export function SkillProblemBadge({ problem }: { problem: SkillProblem | null }) {
  if (!problem) return null;
  return (
    <Badge variant="warning" className="gap-1">
      <TriangleAlert className="size-3" aria-hidden />
      {SHORT[problem]}
    </Badge>
  );
}

/** On a schedule or webhook page: why its skill cannot run, and what to do. */
export function SkillProblemAlert({
  problem,
  skillName,
  owner,
}: {
  problem: SkillProblem | null;
  skillName: string;
  owner: "schedule" | "webhook";
}) {
  if (!problem) return null;
  return (
    <Alert variant="warning" className="mb-6">
      <AlertTitle>{SHORT[problem]}</AlertTitle>
      <AlertDescription>{LONG[problem](skillName, owner)}</AlertDescription>
    </Alert>
  );
}
