import type { Metadata } from "next";
import { ScheduleList } from "@/components/schedules/schedule-list";

export const metadata: Metadata = { title: "Schedules" };

export default function SchedulesPage() {
  return <ScheduleList />;
}
