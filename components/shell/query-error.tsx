"use client";

import { RotateCw } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** A failed query: what failed, the server's message, and a retry. */
export function QueryError({
  title,
  query,
}: {
  title: string;
  query: { error: { message: string } | null; refetch: () => unknown; isRefetching: boolean };
}) {
  return (
    <Alert variant="destructive">
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription className="flex items-center justify-between gap-4">
        <span>{query.error?.message}</span>
        <Button
          variant="outline"
          size="sm"
          onClick={() => void query.refetch()}
          disabled={query.isRefetching}
        >
          <RotateCw aria-hidden className={query.isRefetching ? "animate-spin" : undefined} />
          Retry
        </Button>
      </AlertDescription>
    </Alert>
  );
}
