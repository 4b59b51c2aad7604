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
import { Badge } from "@/components/ui/badge";
import { GuardrailEditor } from "./guardrail-editor";

type Named = { id: string; name: string };

function UsedBy({ templates, isDefault }: { templates: Named[]; isDefault: boolean }) {
  return (
    <>
      {isDefault && (
        <Badge variant="outline" className="mr-2">
          Tenant default
        </Badge>
      )}
      {templates.length === 0 ? (
        "No template names this guardrail."
      ) : (
        <LinkedNames lead="Named by" rows={templates} hrefOf={(id) => `/agents/templates/${id}`} />
      )}
    </>
  );
}

/** One guardrail: its form and test box (read-only below admin), what uses it, duplicate, delete. */
export function GuardrailDetail({ guardrailId }: { guardrailId: string }) {
  const trpc = useTRPC();
  const guardrail = useQuery({
    ...trpc.guardrails.get.queryOptions({ guardrailId }),
    retry: retryUnlessNotFound,
  });
  return (
    <DetailPage
      what="guardrail"
      query={guardrail}
      backHref="/agents/guardrails"
      description={(data) => <UsedBy templates={data.templates} isDefault={data.isTenantDefault} />}
      actions={(data) => <GuardrailActions guardrail={data} />}
    >
      {(data) => (
        <GuardrailEditor
          key={data.updatedAt.toString()}
          guardrailId={guardrailId}
          initial={{
            name: data.name,
            description: data.description,
            ...data.rules,
            isTenantDefault: data.isTenantDefault,
          }}
        />
      )}
    </DetailPage>
  );
}

/** Duplicate and delete, for admins; deleting names the templates that fall back to the default. */
function GuardrailActions({ guardrail }: { guardrail: Named & { templates: Named[] } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const invalidate = [trpc.guardrails.pathKey(), trpc.templates.pathKey()];
  const duplicate = useToastMutation(trpc.guardrails.duplicate.mutationOptions(), {
    success: "Guardrail duplicated",
    invalidate,
    afterSuccess: ({ id }) => router.push(`/agents/guardrails/${id}`),
  });
  const remove = useToastMutation(trpc.guardrails.delete.mutationOptions(), {
    success: "Guardrail deleted",
    invalidate,
    afterSuccess: () => router.push("/agents/guardrails"),
  });
  if (!can("admin")) return null;
  const names = guardrail.templates.map((template) => template.name);
  return (
    <DuplicateDeleteActions
      what="guardrail"
      name={guardrail.name}
      deleteDescription={
        names.length
          ? `${names.join(", ")} ${names.length === 1 ? "names" : "name"} it and will use the tenant default guardrail instead. This cannot be undone.`
          : "No template names it. This cannot be undone."
      }
      onDuplicate={() => duplicate.mutate({ guardrailId: guardrail.id })}
      duplicating={duplicate.isPending}
      onDelete={() => remove.mutate({ guardrailId: guardrail.id })}
      deleting={remove.isPending}
    />
  );
}
