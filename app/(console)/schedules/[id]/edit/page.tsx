import type { Metadata } from "next";
import { ScheduleEditor } from "@/components/schedules/schedule-editor";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Edit schedule" };

export default async function EditSchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Edit schedule" />
      <ScheduleEditor scheduleId={id} />
    </>
  );
}
