import type { Metadata } from "next";
import { ArrivesWith } from "@/components/shell/arrives-with";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return <ArrivesWith title="Runs" arrivesWith="run dispatch and the run history" />;
}
