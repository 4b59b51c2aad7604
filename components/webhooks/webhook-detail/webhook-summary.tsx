import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { WebhookData } from "./webhook-data";

/** What the webhook starts, with which agent, and whether it is on. */
export function WebhookSummary({ data }: { data: WebhookData }) {
  return (
    <>
      Starts{" "}
      <Link href={`/skills/${data.skill.slug}`} className="text-link">
        {data.skill.name}
      </Link>{" "}
      with{" "}
      {data.agent ? (
        <Link href={`/agents/${data.agent.id}`} className="text-link">
          {data.agent.name}
        </Link>
      ) : (
        "the tenant's default agent"
      )}{" "}
      ·{" "}
      {data.enabled ? (
        <Badge variant="success">Enabled</Badge>
      ) : (
        <Badge variant="outline">Disabled</Badge>
      )}
    </>
  );
}
