"use client";

import type { ReactNode } from "react";
import { QueryError } from "./query-error";

/** What a query says about itself: enough to draw any of its four states. */
export type ViewableQuery<TData> = {
  isError: boolean;
  data: TData | undefined;
  error: { message: string; data?: { code?: string } | null } | null;
  refetch: () => unknown;
  isRefetching: boolean;
};

/** The server's answer for an id that names nothing this tenant can see. */
export const isNotFound = (error: { data?: { code?: string } | null } | null) =>
  error?.data?.code === "NOT_FOUND" || error?.data?.code === "BAD_REQUEST";

/** Retry a failed detail query twice, but not when the thing is not there: that will not change. */
export const retryUnlessNotFound = (count: number, error: { data?: { code?: string } | null }) =>
  !isNotFound(error) && count < 2;

/**
 * One query's four states: `loading` while pending, the error with a retry (or `notFound` when
 * the server says the thing does not exist), `empty` when `isEmpty(data)`, else `children(data)`.
 */
export function QueryView<TData>({
  query,
  loading,
  errorTitle,
  notFound,
  isEmpty,
  empty,
  children,
}: {
  query: ViewableQuery<TData>;
  loading: ReactNode;
  errorTitle: string;
  notFound?: ReactNode;
  isEmpty?: (data: TData) => boolean;
  empty?: ReactNode;
  children: (data: TData) => ReactNode;
}) {
  if (query.isError) {
    if (notFound !== undefined && isNotFound(query.error)) return notFound;
    return <QueryError title={errorTitle} query={query} />;
  }
  // A query without data and without an error is still pending (or waiting to be enabled).
  if (query.data === undefined) return loading;
  return isEmpty?.(query.data) ? empty : children(query.data);
}
