import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** The run used an older version of its skill: a re-run would not repeat it exactly. */
export function SkillChangedAlert({ skillVersion }: { skillVersion: string }) {
  return (
    <Alert className="mb-6">
      <AlertTitle>The skill changed since this run</AlertTitle>
      <AlertDescription>
        This run used version {skillVersion.slice(0, 12)}. A re-run uses the current version and its
        inputs schema.
      </AlertDescription>
    </Alert>
  );
}
