"use client";

import type { Route } from "next";
import type { ReactNode } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { NotFoundNotice } from "./empty-state";
import { PageHeader } from "./page-header";
import { QueryView, type ViewableQuery } from "./query-view";
import { capitalized } from "@/components/plural";

/**
 * One row's page while its query loads, fails, finds nothing ("Template not found. Back to
 * templates") or answers: then a header titled with the row's name, with `description` and
 * `actions` drawn from it, and `children` below. `what` is the row's kind in lower case.
 */
export function DetailPage<Data extends { name: string }>({
  what,
  query,
  backHref,
  description,
  actions,
  children,
}: {
  what: string;
  query: ViewableQuery<Data>;
  backHref: Route;
  description: (data: Data) => ReactNode;
  actions: (data: Data) => ReactNode;
  children: (data: Data) => ReactNode;
}) {
  return (
    <QueryView
      query={query}
      loading={<Skeleton className="h-96" aria-label={`Loading ${what}`} />}
      errorTitle={`The ${what} could not be loaded`}
      notFound={
        <NotFoundNotice
          what={capitalized(what)}
          backHref={backHref}
          backLabel={`Back to ${what}s`}
        />
      }
    >
      {(data) => (
        <>
          <PageHeader title={data.name} description={description(data)} actions={actions(data)} />
          {children(data)}
        </>
      )}
    </QueryView>
  );
}
