import type { Metadata } from "next";
import { KnowledgeBaseList } from "@/components/knowledge/knowledge-base-list";

export const metadata: Metadata = { title: "Knowledge bases" };

export default function KnowledgeBasesPage() {
  return <KnowledgeBaseList />;
}
