import type { Metadata } from "next";
import { ArrivesWith } from "@/components/shell/arrives-with";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return <ArrivesWith title="Agents" arrivesWith="the agents pages" />;
}
