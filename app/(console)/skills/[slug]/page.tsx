import type { Metadata } from "next";
import { SkillDetail } from "@/components/skills/skill-detail";

export const metadata: Metadata = { title: "Skill" };

export default async function SkillPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return <SkillDetail slug={slug} />;
}
