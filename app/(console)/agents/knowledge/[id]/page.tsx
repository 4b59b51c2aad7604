import type { Metadata } from "next";
import { KnowledgeBaseDetail } from "@/components/knowledge/knowledge-base-detail";

export const metadata: Metadata = { title: "Knowledge base" };

export default async function KnowledgeBasePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <KnowledgeBaseDetail knowledgeBaseId={id} />;
}
