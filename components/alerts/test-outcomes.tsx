import { Badge } from "@/components/ui/badge";

export type TestOutcome = { channelName: string; status: "sent" | "failed"; error: string | null };

/** What "Send test" answered, per channel, read out as it appears. */
export function TestOutcomes({ outcomes }: { outcomes: TestOutcome[] }) {
  if (outcomes.length === 0)
    return (
      <p role="status" className="text-muted-foreground text-sm">
        This rule has no channel to test.
      </p>
    );
  return (
    <ul role="status" className="flex flex-col gap-1 text-sm">
      {outcomes.map((outcome, index) => (
        <li key={index} className="flex flex-wrap items-center gap-2">
          <Badge variant={outcome.status === "sent" ? "success" : "danger"}>
            {outcome.status === "sent" ? "Test sent" : "Test failed"}
          </Badge>
          <span>
            {outcome.channelName}
            {outcome.error ? `: ${outcome.error}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
