import type { Metadata } from "next";
import { GuardrailDetail } from "@/components/guardrails/guardrail-detail";

export const metadata: Metadata = { title: "Guardrail" };

export default async function GuardrailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <GuardrailDetail guardrailId={id} />;
}
