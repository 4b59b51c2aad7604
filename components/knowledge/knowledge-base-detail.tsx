"use client";

import { useQuery } from "@tanstack/react-query";
import { Pencil, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { LinkedNames } from "@/components/catalog/linked-names";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { DetailPage } from "@/components/shell/detail-page";
import { retryUnlessNotFound } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { DocumentTable } from "./document-table";
import { DocumentUpload } from "./document-upload";
import { KnowledgeBaseDialog } from "./lazy-knowledge-base-dialog";
import { KnowledgeSearch } from "./knowledge-search";

type Agent = { id: string; name: string };

function UsedBy({ agents }: { agents: Agent[] }) {
  if (agents.length === 0) return <>No agent searches it yet.</>;
  return <LinkedNames lead="Searched by" rows={agents} hrefOf={(id) => `/agents/${id}`} />;
}

export function KnowledgeBaseDetail({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const knowledgeBase = useQuery({
    ...trpc.knowledgeBases.get.queryOptions({ knowledgeBaseId }),
    retry: retryUnlessNotFound,
  });

  return (
    <DetailPage
      what="knowledge base"
      query={knowledgeBase}
      backHref="/agents/knowledge"
      description={(data) => (
        <>
          {data.description && <span className="block">{data.description}</span>}
          <UsedBy agents={data.usedBy} />
        </>
      )}
      actions={(data) => can("admin") && <KnowledgeBaseActions knowledgeBase={data} />}
    >
      {(data) => (
        <div className="flex flex-col gap-6">
          {can("admin") && (
            <DocumentUpload
              knowledgeBaseId={knowledgeBaseId}
              documentCount={data.documents.length}
            />
          )}
          <KnowledgeSearch knowledgeBaseId={knowledgeBaseId} />
          <DocumentTable documents={data.documents} canDelete={can("admin")} />
        </div>
      )}
    </DetailPage>
  );
}

type KnowledgeBase = {
  id: string;
  name: string;
  description: string;
  documents: unknown[];
  usedBy: Agent[];
};

/** Edit and delete, for admins; deleting says which agents lose the knowledge base. */
function KnowledgeBaseActions({ knowledgeBase }: { knowledgeBase: KnowledgeBase }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useToastMutation(trpc.knowledgeBases.delete.mutationOptions(), {
    success: ({ removedFromAgents }) =>
      removedFromAgents.length
        ? `Knowledge base deleted; removed from ${removedFromAgents.map((agent) => agent.name).join(", ")}`
        : "Knowledge base deleted",
    invalidate: [trpc.knowledgeBases.list.queryKey()],
    afterSuccess: () => router.push("/agents/knowledge"),
  });
  const { name, documents, usedBy } = knowledgeBase;
  return (
    <>
      <Button variant="outline" onClick={() => setEditing(true)}>
        <Pencil aria-hidden />
        Edit
      </Button>
      <Button variant="outline" onClick={() => setConfirmDelete(true)}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <KnowledgeBaseDialog open={editing} onOpenChange={setEditing} existing={knowledgeBase} />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${name}?`}
        description={
          usedBy.length
            ? `Its ${plural(documents.length, "document")} are deleted, and ${usedBy.map((agent) => agent.name).join(", ")} will no longer search it.`
            : `Its ${plural(documents.length, "document")} are deleted. No agent uses it.`
        }
        cancelLabel="Keep it"
        confirmLabel="Delete knowledge base"
        pending={remove.isPending}
        onConfirm={() => {
          setConfirmDelete(false);
          remove.mutate({ knowledgeBaseId: knowledgeBase.id });
        }}
      />
    </>
  );
}
