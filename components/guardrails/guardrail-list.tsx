"use client";

import { useQuery } from "@tanstack/react-query";
import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import { CatalogListPage } from "@/components/catalog/catalog-list-page";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { Badge } from "@/components/ui/badge";
import type { PiiMode } from "@/lib/enums";

const PII_LABELS: Record<PiiMode, string> = {
  off: "Not checked",
  mask: "Masked",
  block: "Blocked",
};

export function GuardrailList() {
  const trpc = useTRPC();
  const guardrails = useQuery(trpc.guardrails.list.queryOptions());
  return (
    <CatalogListPage
      plural="Guardrails"
      singular="guardrail"
      description={
        <>
          Denied terms and patterns, personal data and size limits every run&apos;s inputs and
          deliverable are checked against; chosen per{" "}
          <Link href="/agents/templates" className="text-link">
            template
          </Link>
          .
        </>
      }
      newHref="/agents/guardrails/new"
      hrefOf={(id) => `/agents/guardrails/${id}`}
      query={guardrails}
      emptyIcon={ShieldCheck}
      nameBadge={(guardrail) =>
        guardrail.isTenantDefault && (
          <Badge variant="outline" className="ml-2">
            Tenant default
          </Badge>
        )
      }
      columns={[
        {
          header: "Denied",
          className: "hidden sm:table-cell",
          cell: ({ rules }) => (
            <>
              {plural(rules.deniedTerms.length, "term")},{" "}
              {plural(rules.deniedPatterns.length, "pattern")}
            </>
          ),
        },
        {
          header: "Personal data",
          className: "hidden sm:table-cell",
          cell: ({ rules }) => PII_LABELS[rules.pii],
        },
        {
          header: "Templates",
          cell: (guardrail) => plural(guardrail.templates.length, "template"),
        },
      ]}
    />
  );
}
