"use client";

import { useQuery } from "@tanstack/react-query";
import { LayoutTemplate } from "lucide-react";
import Link from "next/link";
import { CatalogListPage } from "@/components/catalog/catalog-list-page";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";

export function TemplateList() {
  const trpc = useTRPC();
  const templates = useQuery(trpc.templates.list.queryOptions());
  return (
    <CatalogListPage
      plural="Templates"
      singular="template"
      description={
        <>
          The system prompt, default model, blocked tools, limits and{" "}
          <Link href="/agents/guardrails" className="text-link">
            guardrail
          </Link>{" "}
          an agent runs with.
        </>
      }
      newHref="/agents/templates/new"
      hrefOf={(id) => `/agents/templates/${id}`}
      query={templates}
      emptyIcon={LayoutTemplate}
      columns={[
        {
          header: "Default model",
          className: "hidden sm:table-cell",
          cell: (template) =>
            template.defaultModel ? (
              <code className="font-mono text-xs">{template.defaultModel}</code>
            ) : (
              <span className="text-muted-foreground">Deployment default</span>
            ),
        },
        {
          header: "Guardrail",
          className: "hidden sm:table-cell",
          cell: (template) =>
            template.guardrail ? (
              template.guardrail.name
            ) : (
              <span className="text-muted-foreground">Tenant default</span>
            ),
        },
        { header: "Used by", cell: (template) => plural(template.agents.length, "agent") },
      ]}
    />
  );
}
