"use client";

import { useQuery } from "@tanstack/react-query";
import { Library, Plus } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { formatAbsolute } from "@/components/format";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { EmptyState } from "@/components/shell/empty-state";
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
import { KnowledgeBaseDialog } from "./lazy-knowledge-base-dialog";
import { formatBytes } from "./sizes";

export function KnowledgeBaseList() {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const [creating, setCreating] = useState(false);
  const list = useQuery(trpc.knowledgeBases.list.queryOptions());
  return (
    <>
      <PageHeader
        title="Knowledge bases"
        description="Documents your agents search with the search_knowledge_base tool."
        actions={
          can("admin") && (
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden />
              New knowledge base
            </Button>
          )
        }
      />
      <KnowledgeBaseDialog
        open={creating}
        onOpenChange={setCreating}
        onSaved={(id) => router.push(`/agents/knowledge/${id}`)}
      />
      <QueryView
        query={list}
        loading={<Skeleton className="h-48" aria-label="Loading knowledge bases" />}
        errorTitle="Knowledge bases could not be loaded"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState icon={Library} title="No knowledge bases yet">
            {can("admin")
              ? "Create one, upload Markdown, text or PDF documents, then give it to an agent."
              : "An admin of this tenant can create one."}
          </EmptyState>
        }
      >
        {(rows) => <KnowledgeBaseTable rows={rows} />}
      </QueryView>
    </>
  );
}

type Row = {
  id: string;
  name: string;
  description: string;
  documentCount: number;
  totalBytes: number;
  updatedAt: Date;
};

function KnowledgeBaseTable({ rows }: { rows: Row[] }) {
  return (
    <Table aria-label="Knowledge bases">
      <TableHeader>
        <TableRow>
          <TableHead>Knowledge base</TableHead>
          <TableHead>Documents</TableHead>
          <TableHead className="hidden sm:table-cell">Text size</TableHead>
          <TableHead className="hidden md:table-cell">Updated</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.id}>
            <TableCell>
              <Link href={`/agents/knowledge/${row.id}`} className="font-medium hover:underline">
                {row.name}
              </Link>
              {row.description && (
                <div className="text-muted-foreground text-xs">{row.description}</div>
              )}
            </TableCell>
            <TableCell>{plural(row.documentCount, "document")}</TableCell>
            <TableCell className="hidden sm:table-cell">{formatBytes(row.totalBytes)}</TableCell>
            <TableCell className="text-muted-foreground hidden md:table-cell">
              {formatAbsolute(row.updatedAt)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
