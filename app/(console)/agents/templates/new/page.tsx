import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { TemplateEditor } from "@/components/templates/template-editor";

export const metadata: Metadata = { title: "New template" };

export default function NewTemplatePage() {
  return (
    <>
      <PageHeader title="New template" description="What agents using it run with." />
      <TemplateEditor />
    </>
  );
}
