import type { Metadata } from "next";
import { NewSkillPage } from "@/components/skills/skill-editor-page";

export const metadata: Metadata = { title: "New skill" };

export default function Page() {
  return <NewSkillPage />;
}
