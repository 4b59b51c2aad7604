import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Deliverable } from "../deliverable";
import type { RunData } from "./run-data";

export function DeliverableCard({ data, terminal }: { data: RunData; terminal: boolean }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Deliverable</CardTitle>
      </CardHeader>
      <CardContent>
        {data.deliverable ? (
          <Deliverable
            markdown={data.deliverable.payload}
            masked={data.deliverable.masked}
            fileName={`${data.skill.slug}-${data.id.slice(0, 8)}.md`}
          />
        ) : (
          <p className="text-muted-foreground text-sm">
            {!terminal
              ? "The deliverable appears here when the run completes."
              : "This run has no deliverable."}
          </p>
        )}
      </CardContent>
    </Card>
  );
}
