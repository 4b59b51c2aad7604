import type { Metadata } from "next";
import { ArrivesWith } from "@/components/shell/arrives-with";

export const metadata: Metadata = { title: "Webhooks" };

export default function WebhooksPage() {
  return <ArrivesWith title="Webhooks" arrivesWith="signed webhooks and API keys" />;
}
