import type { Metadata } from "next";
import { ArrivesWith } from "@/components/shell/arrives-with";

export const metadata: Metadata = { title: "Schedules" };

export default function SchedulesPage() {
  return <ArrivesWith title="Schedules" arrivesWith="cron schedules" />;
}
