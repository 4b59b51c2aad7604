import type { Metadata } from "next";
import { RequiresRole } from "@/components/auth/requires-role";
import { ScheduleEditor } from "@/components/schedules/schedule-editor";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "New schedule" };

export default async function NewSchedulePage({
  searchParams,
}: {
  searchParams: Promise<{ skill?: string }>;
}) {
  const { skill } = await searchParams;
  return (
    <>
      <PageHeader
        title="New schedule"
        description="Run a skill on a cadence, in the timezone you choose."
      />
      <RequiresRole role="admin" what="Creating a schedule">
        <ScheduleEditor skillSlug={skill} />
      </RequiresRole>
    </>
  );
}
