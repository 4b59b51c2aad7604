import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { NewSkillButton, SkillCatalog } from "@/components/skills/skill-catalog";
import { SkillImportButton } from "@/components/skills/skill-import-dialog";

export const metadata: Metadata = { title: "Skills" };

export default function SkillsPage() {
  return (
    <>
      <PageHeader
        title="Skills"
        description="Packaged instructions your agents can run."
        actions={
          <>
            <SkillImportButton />
            <NewSkillButton />
          </>
        }
      />
      <SkillCatalog />
    </>
  );
}
