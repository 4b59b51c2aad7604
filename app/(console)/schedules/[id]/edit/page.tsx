import type { Metadata } from "next";
import { RequiresRole } from "@/components/auth/requires-role";
import { ScheduleEditor } from "@/components/schedules/schedule-editor";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Edit schedule" };

export default async function EditSchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Edit schedule" />
      <RequiresRole role="admin" what="Editing a schedule">
        <ScheduleEditor scheduleId={id} />
      </RequiresRole>
    </>
  );
}
