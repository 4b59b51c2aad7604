"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { EmptyState } from "@/components/shell/empty-state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { PiiMode } from "@/lib/enums";

const PII_LABELS: Record<PiiMode, string> = {
  off: "Not checked",
  mask: "Masked",
  block: "Blocked",
};

export function GuardrailList() {
  const { can } = useTenantRole();
  return (
    <>
      <PageHeader
        title="Guardrails"
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
        actions={
          can("admin") && (
            <Button asChild>
              <Link href="/agents/guardrails/new">
                <Plus aria-hidden />
                New guardrail
              </Link>
            </Button>
          )
        }
      />
      <GuardrailTable />
    </>
  );
}

function GuardrailTable() {
  const trpc = useTRPC();
  const guardrails = useQuery(trpc.guardrails.list.queryOptions());
  return (
    <QueryView
      query={guardrails}
      loading={<Skeleton className="h-48" aria-label="Loading guardrails" />}
      errorTitle="Guardrails could not be loaded"
      isEmpty={(list) => list.length === 0}
      empty={<EmptyState icon={ShieldCheck} title="No guardrails in this tenant" />}
    >
      {(list) => (
        <Table aria-label="Guardrails">
          <TableHeader>
            <TableRow>
              <TableHead>Guardrail</TableHead>
              <TableHead className="hidden sm:table-cell">Denied</TableHead>
              <TableHead className="hidden sm:table-cell">Personal data</TableHead>
              <TableHead>Templates</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((guardrail) => (
              <TableRow key={guardrail.id}>
                <TableCell>
                  <Link
                    href={`/agents/guardrails/${guardrail.id}`}
                    className="font-medium hover:underline"
                  >
                    {guardrail.name}
                  </Link>
                  {guardrail.isTenantDefault && (
                    <Badge variant="outline" className="ml-2">
                      Tenant default
                    </Badge>
                  )}
                  {guardrail.description && (
                    <div className="text-muted-foreground text-xs">{guardrail.description}</div>
                  )}
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  {plural(guardrail.rules.deniedTerms.length, "term")},{" "}
                  {plural(guardrail.rules.deniedPatterns.length, "pattern")}
                </TableCell>
                <TableCell className="hidden sm:table-cell">
                  {PII_LABELS[guardrail.rules.pii]}
                </TableCell>
                <TableCell>{plural(guardrail.templates.length, "template")}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </QueryView>
  );
}
