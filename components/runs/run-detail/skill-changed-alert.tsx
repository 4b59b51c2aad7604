import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** The run used an older version of its skill: a re-run would not repeat it exactly. */
export function SkillChangedAlert({
  skillVersion,
  className = "mb-6",
}: {
  skillVersion: string;
  className?: string;
}) {
  return (
    <Alert className={className}>
      <AlertTitle>The skill changed since this run</AlertTitle>
      <AlertDescription>
        This run used version {skillVersion.slice(0, 12)}. A re-run uses the current version and its
        inputs schema.
      </AlertDescription>
    </Alert>
  );
}

/** The warning in the re-run dialog, before submitting: only when the skill moved on since. */
export function SkillChangedSince({ ran, current }: { ran: string | undefined; current: string }) {
  if (!ran || ran === current) return null;
  return <SkillChangedAlert skillVersion={ran} className="" />;
}

/** On a re-run's request: the skill version the earlier run used, to warn when it changed. */
export type RerunOfVersion = { rerunOfSkillVersion?: string };
