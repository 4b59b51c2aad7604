"use client";

import { useQuery } from "@tanstack/react-query";
import { LayoutTemplate, Plus } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { QueryView } from "@/components/shell/query-view";
import { EmptyState } from "@/components/shell/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { plural } from "@/components/plural";

export function TemplateList() {
  const { can } = useTenantRole();
  const templates = useTemplates();
  return (
    <>
      <PageHeader
        title="Templates"
        description={
          <>
            The system prompt, default model, blocked tools, limits and{" "}
            <Link href="/agents/guardrails" className="text-link">
              guardrail
            </Link>{" "}
            an agent runs with.
          </>
        }
        actions={
          can("admin") && (
            <Button asChild>
              <Link href="/agents/templates/new">
                <Plus aria-hidden />
                New template
              </Link>
            </Button>
          )
        }
      />
      <TemplateTable query={templates} />
    </>
  );
}

function TemplateTable({ query: templates }: { query: ReturnType<typeof useTemplates> }) {
  return (
    <QueryView
      query={templates}
      loading={<Skeleton className="h-48" aria-label="Loading templates" />}
      errorTitle="Templates could not be loaded"
      isEmpty={(list) => list.length === 0}
      empty={<EmptyState icon={LayoutTemplate} title="No templates in this tenant" />}
    >
      {(list) => (
        <Table aria-label="Templates">
          <TableHeader>
            <TableRow>
              <TableHead>Template</TableHead>
              <TableHead className="hidden sm:table-cell">Default model</TableHead>
              <TableHead className="hidden sm:table-cell">Guardrail</TableHead>
              <TableHead>Used by</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((template) => (
              <TableRow key={template.id}>
                <TableCell>
                  <Link
                    href={`/agents/templates/${template.id}`}
                    className="font-medium hover:underline"
                  >
                    {template.name}
                  </Link>
                  {template.description && (
                    <div className="text-muted-foreground text-xs">{template.description}</div>
                  )}
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  {template.defaultModel ? (
                    <code className="font-mono text-xs">{template.defaultModel}</code>
                  ) : (
                    <span className="text-muted-foreground">Deployment default</span>
                  )}
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  {template.guardrail ? (
                    template.guardrail.name
                  ) : (
                    <span className="text-muted-foreground">Tenant default</span>
                  )}
                </TableCell>
                <TableCell>{plural(template.agents.length, "agent")}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </QueryView>
  );
}

function useTemplates() {
  const trpc = useTRPC();
  return useQuery(trpc.templates.list.queryOptions());
}
