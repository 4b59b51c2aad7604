import type { Metadata } from "next";
import { EditSkillPage } from "@/components/skills/skill-editor-page";

export const metadata: Metadata = { title: "Edit skill" };

export default async function Page({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <EditSkillPage slug={slug} />;
}
