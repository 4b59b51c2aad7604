import type { Metadata } from "next";
import { GuardrailEditor } from "@/components/guardrails/guardrail-editor";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "New guardrail" };

export default function NewGuardrailPage() {
  return (
    <>
      <PageHeader
        title="New guardrail"
        description="What every run's inputs and deliverable are checked against."
      />
      <GuardrailEditor />
    </>
  );
}
