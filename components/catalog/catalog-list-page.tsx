"use client";

import type { LucideIcon } from "lucide-react";
import { Plus } from "lucide-react";
import type { Route } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { capitalized } from "@/components/plural";
import { EmptyState } from "@/components/shell/empty-state";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView, type ViewableQuery } from "@/components/shell/query-view";
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

type CatalogRow = { id: string; name: string; description: string };

/** A table column after the name: its header and cell share `className` (e.g. hidden on phones). */
export type CatalogColumn<Row> = {
  header: string;
  className?: string;
  cell: (row: Row) => ReactNode;
};

/**
 * A catalog's list page: its header with "New …" for admins, then a table of its rows, each named
 * by a link to its page (with `nameBadge` beside the name) and its description below.
 * `plural` names the rows ("Templates"), `singular` the name column and the button ("template").
 */
export function CatalogListPage<Row extends CatalogRow>({
  description,
  newHref,
  query,
  emptyIcon,
  ...table
}: TableProps<Row> & {
  description: ReactNode;
  newHref: Route;
  query: ViewableQuery<Row[]>;
  emptyIcon: LucideIcon;
}) {
  const { plural, singular } = table;
  const { can } = useTenantRole();
  return (
    <>
      <PageHeader
        title={plural}
        description={description}
        actions={
          can("admin") && (
            <Button asChild>
              <Link href={newHref}>
                <Plus aria-hidden />
                New {singular}
              </Link>
            </Button>
          )
        }
      />
      <QueryView
        query={query}
        loading={<Skeleton className="h-48" aria-label={`Loading ${plural.toLowerCase()}`} />}
        errorTitle={`${plural} could not be loaded`}
        isEmpty={(list) => list.length === 0}
        empty={<EmptyState icon={emptyIcon} title={`No ${plural.toLowerCase()} in this tenant`} />}
      >
        {(rows) => <CatalogTable {...table} rows={rows} />}
      </QueryView>
    </>
  );
}

type TableProps<Row> = {
  plural: string;
  singular: string;
  hrefOf: (id: string) => Route;
  nameBadge?: (row: Row) => ReactNode;
  columns: CatalogColumn<Row>[];
};

function CatalogTable<Row extends CatalogRow>({
  plural,
  singular,
  hrefOf,
  nameBadge,
  columns,
  rows,
}: TableProps<Row> & { rows: Row[] }) {
  return (
    <Table aria-label={plural}>
      <TableHeader>
        <TableRow>
          <TableHead>{capitalized(singular)}</TableHead>
          {columns.map((column) => (
            <TableHead key={column.header} className={column.className}>
              {column.header}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.id}>
            <TableCell>
              <Link href={hrefOf(row.id)} className="font-medium hover:underline">
                {row.name}
              </Link>
              {nameBadge?.(row)}
              {row.description && (
                <div className="text-muted-foreground text-xs">{row.description}</div>
              )}
            </TableCell>
            {columns.map((column) => (
              <TableCell key={column.header} className={column.className}>
                {column.cell(row)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
