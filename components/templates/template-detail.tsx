"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { DuplicateDeleteActions } from "@/components/catalog/duplicate-delete-actions";
import { LinkedNames } from "@/components/catalog/linked-names";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { DetailPage } from "@/components/shell/detail-page";
import { retryUnlessNotFound } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { TemplateEditor } from "./template-editor";

function UsedBy({ agents }: { agents: { id: string; name: string }[] }) {
  if (agents.length === 0) return <>No agent uses this template.</>;
  return <LinkedNames lead="Used by" rows={agents} hrefOf={(id) => `/agents/${id}`} />;
}

/** One template: its form (read-only below admin), what uses it, duplicate and delete. */
export function TemplateDetail({ templateId }: { templateId: string }) {
  const trpc = useTRPC();
  const template = useQuery({
    ...trpc.templates.get.queryOptions({ templateId }),
    retry: retryUnlessNotFound,
  });
  return (
    <DetailPage
      what="template"
      query={template}
      backHref="/agents/templates"
      description={(data) => <UsedBy agents={data.agents} />}
      actions={(data) => <TemplateActions template={data} />}
    >
      {(data) => (
        <TemplateEditor
          key={data.updatedAt.toString()}
          templateId={templateId}
          initial={{
            name: data.name,
            description: data.description,
            systemPrompt: data.systemPrompt,
            defaultModel: data.defaultModel,
            blockedTools: data.blockedTools,
            guardrailId: data.guardrail?.id ?? null,
            maxSteps: data.maxSteps,
            timeoutSeconds: data.timeoutSeconds,
            approvalTools: data.approvalTools,
            approveDeliverable: data.approveDeliverable,
            approvalTimeoutSeconds: data.approvalTimeoutSeconds,
          }}
        />
      )}
    </DetailPage>
  );
}

/** Duplicate and delete, for admins; deleting asks first and says whether agents still use it. */
function TemplateActions({
  template,
}: {
  template: { id: string; name: string; agents: { name: string }[] };
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const invalidate = [trpc.templates.pathKey()];
  const duplicate = useToastMutation(trpc.templates.duplicate.mutationOptions(), {
    success: "Template duplicated",
    invalidate,
    afterSuccess: ({ id }) => router.push(`/agents/templates/${id}`),
  });
  const remove = useToastMutation(trpc.templates.delete.mutationOptions(), {
    success: "Template deleted",
    invalidate,
    afterSuccess: () => router.push("/agents/templates"),
  });
  if (!can("admin")) return null;
  const users = template.agents.map((agent) => agent.name);
  return (
    <DuplicateDeleteActions
      what="template"
      name={template.name}
      deleteDescription={
        users.length
          ? `${users.join(", ")} ${users.length === 1 ? "uses" : "use"} it, so it will not be deleted: give ${users.length === 1 ? "that agent" : "those agents"} another template first.`
          : "No agent uses it. This cannot be undone."
      }
      onDuplicate={() => duplicate.mutate({ templateId: template.id })}
      duplicating={duplicate.isPending}
      onDelete={() => remove.mutate({ templateId: template.id })}
      deleting={remove.isPending}
    />
  );
}
