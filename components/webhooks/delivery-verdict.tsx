import { Badge } from "@/components/ui/badge";
import type { WebhookDeliveryVerdict } from "@/lib/enums";

const LOOK: Record<
  WebhookDeliveryVerdict,
  { label: string; variant: "success" | "warning" | "danger" | "outline" }
> = {
  accepted: { label: "Accepted", variant: "success" },
  duplicate: { label: "Duplicate", variant: "outline" },
  malformed: { label: "Malformed", variant: "danger" },
  bad_signature: { label: "Bad signature", variant: "danger" },
  stale_timestamp: { label: "Stale timestamp", variant: "danger" },
  not_found: { label: "Not found", variant: "outline" },
  too_large: { label: "Too large", variant: "danger" },
  unsupported_media_type: { label: "Not JSON", variant: "danger" },
  inputs_invalid: { label: "Inputs invalid", variant: "warning" },
  rate_limited: { label: "Rate limited", variant: "warning" },
  failed: { label: "Failed", variant: "danger" },
};

export function DeliveryVerdictBadge({ verdict }: { verdict: WebhookDeliveryVerdict }) {
  const { label, variant } = LOOK[verdict];
  return (
    <Badge variant={variant} data-verdict={verdict}>
      {label}
    </Badge>
  );
}
