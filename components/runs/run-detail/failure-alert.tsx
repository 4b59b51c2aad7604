import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { FailureCode } from "@/lib/enums";
import { failureHint } from "../failure-hints";

/** Why the run failed, in the server's words, and what the operator can do about it. */
export function FailureAlert({
  failureCode,
  failureReason,
  failureDetail,
  finishedAt,
}: {
  failureCode: FailureCode;
  failureReason: string | null;
  failureDetail: Parameters<typeof failureHint>[0]["failureDetail"];
  finishedAt: Date | null;
}) {
  return (
    <Alert variant="destructive" className="mb-6" data-testid="run-failure">
      <AlertTitle>
        Failed: <code className="font-mono">{failureCode}</code>
      </AlertTitle>
      <AlertDescription className="break-words">
        {failureReason && <p>{failureReason}</p>}
        <p className="mt-2 font-medium">
          What to do: {failureHint({ failureCode, failureDetail, finishedAt })}
        </p>
      </AlertDescription>
    </Alert>
  );
}
